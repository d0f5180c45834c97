import type { Context, MiddlewareHandler } from 'hono';
import { AppError, BadRequestError } from '../errors';
import { badText, badTextField, refuseBadText } from './input';

const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json$/i;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Whether bodyGuard reads this method's body; the others pass through it untouched. */
export const hasBody = (method: string) => BODY_METHODS.has(method);

/** An HTML form post (url-encoded): read with parseBody / the `form` validator. */
export function isFormRequest(c: Context): boolean {
  return /^application\/x-www-form-urlencoded/i.test(c.req.header('content-type') ?? '');
}

export type BodyOptions = {
  /** Media types (without parameters) that routes of this app accept; JSON unless the app says otherwise. */
  accept: string[];
  maxBytes: number;
};

const tooLarge = (max: number) =>
  new AppError(413, 'PAYLOAD_TOO_LARGE', 'Content Too Large', `Bodies are limited to ${max} bytes.`);

/**
 * Reads the body counting bytes as they arrive and stops at the limit: a chunked or lying client cannot make the
 * process buffer more than `max` bytes. The bytes are handed to Hono's body cache, so handlers and validators
 * read them from memory as usual.
 */
async function readLimited(c: Context, max: number): Promise<string> {
  const stream = c.req.raw.body;
  if (!stream) return '';
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  const bytes = Buffer.concat(chunks, total);
  const text = new TextDecoder().decode(bytes);
  // Hono keeps promises in its cache (its types say values).
  const cache = c.req.bodyCache as Record<string, Promise<unknown>>;
  cache.arrayBuffer = Promise.resolve(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  );
  cache.text = Promise.resolve(text);
  return text;
}

/**
 * Rejects what no route of this app can read before any handler runs: a body over the limit (413, counted while
 * reading, chunked or not), a media type no route reads, broken JSON, and text the database cannot hold — so a
 * bad body is always a 4xx problem and never reaches validation as an empty object.
 */
export function bodyGuard(opts: BodyOptions): MiddlewareHandler {
  const accepted = new Set(opts.accept.map((t) => t.toLowerCase()));
  return async (c, next) => {
    if (!BODY_METHODS.has(c.req.method)) return next();
    if (Number(c.req.header('content-length') ?? 0) > opts.maxBytes) throw tooLarge(opts.maxBytes);
    const text = await readLimited(c, opts.maxBytes);
    if (text.length === 0) return next();
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const isJson = JSON_TYPE.test(mediaType);
    if (!accepted.has(mediaType) && !(isJson && accepted.has('application/json'))) {
      throw new BadRequestError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Content-Type must be ${opts.accept.join(' or ')}${mediaType ? `, not ${mediaType}` : ''}.`,
      );
    }
    if (isJson) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new BadRequestError('MALFORMED_JSON', 'The request body is not valid JSON.', { cause: err });
      }
      refuseBadText(badTextField(parsed));
    } else if (mediaType === 'application/x-www-form-urlencoded') {
      for (const [key, value] of new URLSearchParams(text))
        if (badText(key) || badText(value)) refuseBadText(badText(key) ? 'body' : key);
    }
    return next();
  };
}
