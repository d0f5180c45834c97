import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { COOKIES } from '../../shared/auth/middleware';
import type { TokenPair } from '../../shared/auth/sessions';

/**
 * Browser sessions: HttpOnly tokens, plus the session's readable CSRF token, which pages echo in X-CSRF-Token. It
 * is the same for the whole session (a MAC of its id), so setting it again on refresh changes nothing for open tabs.
 */
export function setSessionCookies(c: Context, tokens: TokenPair, refreshTtlSeconds: number) {
  const base = { httpOnly: true, secure: true, sameSite: 'Lax' as const };
  setCookie(c, COOKIES.access, tokens.accessToken, { ...base, path: '/', maxAge: tokens.expiresIn });
  setCookie(c, COOKIES.refresh, tokens.refreshToken, { ...base, path: '/auth', maxAge: refreshTtlSeconds });
  setCookie(c, COOKIES.csrf, tokens.csrfToken, {
    secure: true,
    sameSite: 'Lax',
    path: '/',
    maxAge: refreshTtlSeconds,
  });
}

export function clearSessionCookies(c: Context) {
  deleteCookie(c, COOKIES.access, { path: '/', secure: true });
  deleteCookie(c, COOKIES.refresh, { path: '/auth', secure: true });
  deleteCookie(c, COOKIES.csrf, { path: '/', secure: true });
}
