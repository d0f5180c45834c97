import type { MiddlewareHandler } from 'hono';
import { ForbiddenError } from '../errors';
import { isFormRequest } from '../http/body';
import type { AppEnv } from '../http/types';
import type { AuthContext, Principal } from './context';
import { mac, safeEqual } from './secrets';

export const CSRF_FIELD = 'csrfToken';

/**
 * The CSRF token of a session: a MAC of its id under a key only the server holds. A plain random cookie would be
 * forgeable by anyone who can plant cookies for this host (a sibling subdomain, a plain-HTTP response); binding it
 * to the session makes a planted value useless, since it is checked against the session the request authenticates.
 * It is stable for the session's life, so refreshes and several tabs agree on it.
 */
export function csrfToken(ctx: Pick<AuthContext, 'csrfKey'>, sessionId: string): string {
  return mac(ctx.csrfKey, `session:${sessionId}`);
}

/**
 * What a page embeds in its forms for this caller: only cookie sessions need one. Derived from the session, never
 * copied from the cookie, so a planted cookie cannot be laundered into a valid form.
 */
export function csrfTokenOf(ctx: Pick<AuthContext, 'csrfKey'>, principal: Principal): string | undefined {
  if (principal.via !== 'cookie' || principal.credential.kind !== 'session') return undefined;
  return csrfToken(ctx, principal.credential.sessionId);
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF check for cookie-authenticated mutations; bearer requests cannot be forged cross-site. Scripts echo the
 * `hxb_csrf` cookie in X-CSRF-Token; HTML forms, which cannot set headers, send it in a hidden `csrfToken` field.
 * The echoed value must be the session's token: the cookie only delivers it, so its own value proves nothing.
 * Sessions are the only cookie credential Hexabase issues; any other one has no token and is refused.
 */
export function csrfProtection(ctx: Pick<AuthContext, 'csrfKey'>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.var.principal;
    if (SAFE.has(c.req.method) || principal?.via !== 'cookie') return next();
    let echoed = c.req.header('x-csrf-token');
    if (!echoed && isFormRequest(c)) {
      const field = (await c.req.parseBody())[CSRF_FIELD];
      echoed = typeof field === 'string' ? field : undefined;
    }
    const expected = csrfTokenOf(ctx, principal);
    if (!expected || !echoed || !safeEqual(expected, echoed)) {
      throw new ForbiddenError(
        'Send the hxb_csrf cookie value of this session in the X-CSRF-Token header.',
        'CSRF_FAILED',
      );
    }
    return next();
  };
}
