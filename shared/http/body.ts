import type { Context, MiddlewareHandler } from 'hono';
import { AppError, BadRequestError } from '../errors';

const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json$/i;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** An HTML form post (url-encoded): read with parseBody / the `form` validator. */
export function isFormRequest(c: Context): boolean {
  return /^application\/x-www-form-urlencoded/i.test(c.req.header('content-type') ?? '');
}

export type BodyOptions = {
  /** Media types (without parameters) that routes of this app accept; JSON unless the app says otherwise. */
  accept: string[];
  maxBytes: number;
};

/** HTTP/1.1 has a body only with Content-Length > 0 or Transfer-Encoding; in-process requests may have neither. */
async function hasBody(c: Context): Promise<boolean> {
  const length = c.req.header('content-length');
  if (length !== undefined) return Number(length) > 0;
  if (c.req.header('transfer-encoding') !== undefined) return true;
  if (c.req.raw.body === null) return false;
  return (await c.req.text()).length > 0;
}

/**
 * Rejects what no route of this app can read before any handler runs, so that a wrong media type
 * or broken JSON is always a 400 problem and never reaches validation as an empty object.
 */
export function bodyGuard(opts: BodyOptions): MiddlewareHandler {
  const accepted = new Set(opts.accept.map((t) => t.toLowerCase()));
  return async (c, next) => {
    if (!BODY_METHODS.has(c.req.method) || !(await hasBody(c))) return next();
    const declared = Number(c.req.header('content-length') ?? 0);
    if (declared > opts.maxBytes) {
      throw new AppError(
        413,
        'PAYLOAD_TOO_LARGE',
        'Content Too Large',
        `Bodies are limited to ${opts.maxBytes} bytes.`,
      );
    }
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const isJson = JSON_TYPE.test(mediaType);
    if (!accepted.has(mediaType) && !(isJson && accepted.has('application/json'))) {
      throw new BadRequestError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Content-Type must be ${opts.accept.join(' or ')}${mediaType ? `, not ${mediaType}` : ''}.`,
      );
    }
    if (isJson) {
      const text = await c.req.text();
      if (text.length > opts.maxBytes) {
        throw new AppError(
          413,
          'PAYLOAD_TOO_LARGE',
          'Content Too Large',
          `Bodies are limited to ${opts.maxBytes} bytes.`,
        );
      }
      try {
        JSON.parse(text);
      } catch {
        throw new BadRequestError('MALFORMED_JSON', 'The request body is not valid JSON.');
      }
    }
    return next();
  };
}
