import { createRoute, type RouteConfig, type RouteHandler } from '@hono/zod-openapi';
import { UnauthenticatedError } from '../errors';
import { type IdPrefix, idSchema } from '../ids';
import type { HexabaseApp } from './app';
import type { AppEnv, SignedInEnv } from './types';
import * as z from './zod';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ example: 'VALIDATION_FAILED' }),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

/** Responses every route can produce; routes add their own. */
export const commonResponses = {
  400: problem('Invalid input (validation, malformed JSON, wrong content type)'),
  500: problem('Unexpected error; details are in the server log under the request id'),
};
export const problemResponses = {
  401: problem('Not authenticated'),
  402: problem('A payment method is required first (billing)'),
  403: problem('Authenticated but not allowed'),
  404: problem('Unknown, or not visible to the caller'),
  409: problem('Conflicts with the current state'),
  422: problem('Well-formed but violates a rule'),
  429: problem('Rate limited'),
  503: problem('A dependency (such as Stripe) is unavailable; nothing was changed, try again'),
};

type ProblemStatus = keyof typeof problemResponses;

/** The error responses a route documents: the given statuses plus the ones every route has (400, 500). */
export function problems<S extends ProblemStatus>(...statuses: S[]) {
  const picked = Object.fromEntries(statuses.map((s) => [s, problemResponses[s]])) as Pick<
    typeof problemResponses,
    S
  >;
  return { ...picked, ...commonResponses };
}

export { createRoute };

/**
 * One operation = one route definition + a handler factory that receives explicit dependencies. A signed-in
 * operation's handler is typed with the principal present; mountOperations makes that true by answering 401 first.
 */
export type Operation<D> = {
  route: RouteConfig;
  handler: (deps: D) => RouteHandler<RouteConfig, AppEnv>;
  signedIn: boolean;
};

/** An operation anonymous callers may reach (sign-in, discovery, public pages). */
export function defineOperation<R extends RouteConfig, D>(
  route: R,
  handler: (deps: D) => RouteHandler<R, AppEnv>,
): Operation<D> {
  return { route, handler: handler as unknown as Operation<D>['handler'], signedIn: false };
}

/** An operation for signed-in callers only: `c.var.principal` is the caller. */
export function defineSignedInOperation<R extends RouteConfig, D>(
  route: R,
  handler: (deps: D) => RouteHandler<R, SignedInEnv>,
): Operation<D> {
  return { route, handler: handler as unknown as Operation<D>['handler'], signedIn: true };
}

export function mountOperations<D>(app: HexabaseApp, operations: Operation<D>[], deps: D): HexabaseApp {
  for (const op of operations) {
    const handler = op.handler(deps);
    app.openapi(
      op.route,
      op.signedIn
        ? (c, next) => {
            if (!c.var.principal) throw new UnauthenticatedError();
            return handler(c, next);
          }
        : handler,
    );
  }
  return app;
}

/**
 * A path parameter that names a resource by id: anything not of the prefix's format is an unknown id (404, see the
 * app's validation hook), refused before any query runs.
 */
export function idParam(name: string, prefix: IdPrefix) {
  return idSchema(prefix).openapi({ param: { name, in: 'path' }, example: `${prefix}-abcdefghijklmnopqrst` });
}
