import { actorOf } from '../../../shared/auth/middleware';
import { revokeSession } from '../../../shared/auth/sessions';
import { BadRequestError } from '../../../shared/errors';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { clearSessionCookies } from '../cookies';
import type { AuthDeps } from '../deps';

export const logoutOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/auth/logout',
    tags: ['Auth'],
    summary: 'End the current session everywhere',
    responses: {
      204: { description: 'Signed out; the session and its tokens stop working at once' },
      ...problems(401, 403),
    },
  }),
  (deps: AuthDeps) => async (c) => {
    const principal = c.var.principal;
    if (principal.credential.kind !== 'session') {
      throw new BadRequestError(
        'NOT_A_SESSION',
        'Personal access tokens are revoked with DELETE /auth/tokens/{id}.',
      );
    }
    await revokeSession(deps.auth.auth, actorOf(c, deps.auth.trustProxy), {
      sessionId: principal.credential.sessionId,
      reason: 'logout',
    });
    clearSessionCookies(c);
    return c.body(null, 204);
  },
);
