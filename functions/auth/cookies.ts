import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { COOKIES } from '../../shared/auth/middleware';
import { randomToken } from '../../shared/auth/secrets';
import type { TokenPair } from '../../shared/auth/sessions';

/** Browser sessions: HttpOnly tokens, plus a readable CSRF value the page echoes in X-CSRF-Token. */
export function setSessionCookies(c: Context, tokens: TokenPair, refreshTtlSeconds: number) {
  const base = { httpOnly: true, secure: true, sameSite: 'Lax' as const };
  setCookie(c, COOKIES.access, tokens.accessToken, { ...base, path: '/', maxAge: tokens.expiresIn });
  setCookie(c, COOKIES.refresh, tokens.refreshToken, { ...base, path: '/auth', maxAge: refreshTtlSeconds });
  setCookie(c, COOKIES.csrf, randomToken(''), {
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
