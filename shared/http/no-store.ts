import type { MiddlewareHandler } from 'hono';

/**
 * For every response that carries a token or a secret: no browser, proxy or CDN may keep it (RFC 6749 §5.1 asks
 * this of token responses; `Pragma` is for HTTP/1.0 caches). Errors and redirects of those routes included, so
 * that no branch can forget it.
 */
export const NO_STORE_HEADERS = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

export function noStore(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(NO_STORE_HEADERS)) c.res.headers.set(name, value);
  };
}
