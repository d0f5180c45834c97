import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { Registry } from 'prom-client';
import type { ZodError } from 'zod';
import { isDataException } from '../db/errors';
import { AppError, BadRequestError, NotFoundError, RateLimitedError, ValidationError } from '../errors';
import type { Logger } from '../log';
import { bodyGuard, hasBody } from './body';
import { edge } from './edge';
import { checkUrl } from './input';
import { createHttpMetrics } from './metrics';
import { errorResponse, internalError } from './problem';
import { type AppEnv, NotReadyError, type ReadinessCheck } from './types';

export type CreateAppOptions = {
  name: string;
  log: Logger;
  /** Named dependency checks for /readyz; each must settle within `readinessTimeoutMs`. */
  readiness?: Record<string, ReadinessCheck>;
  readinessTimeoutMs?: number;
  bodyTypes?: string[];
  maxBodyBytes?: number;
  /** Where request metrics go: the process's registry (runProcess serves it on METRICS_PORT); else a new one. */
  registry?: Registry;
};

/** What a function's app factory takes: everything but its name, which is its own. */
export type AppOptions = Omit<CreateAppOptions, 'name'>;

export type HexabaseApp = OpenAPIHono<AppEnv> & { state: { draining: boolean } };

function fieldErrors(error: ZodError, target: string) {
  return error.issues.map((i) => ({
    field: i.path.length > 0 ? i.path.join('.') : target,
    message: i.message,
  }));
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(resolve, reject).finally(() => clearTimeout(t));
  });
}

/** The one way a Hexabase function builds its Hono app: same errors, logs, metrics and probes everywhere. */
export function createApp(opts: CreateAppOptions): HexabaseApp {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      // A path parameter names a resource; one that is not even an id of its kind names nothing (CONTRACT: 404).
      if (result.target === 'param') throw new NotFoundError('No such resource.');
      throw new ValidationError(fieldErrors(result.error, result.target));
    },
  }) as HexabaseApp;
  app.state = { draining: false };
  const metrics = createHttpMetrics(opts.name, opts.registry ? { registry: opts.registry } : {});
  const readiness = opts.readiness ?? {};
  const readinessTimeoutMs = opts.readinessTimeoutMs ?? 2000;

  app.use(edge({ name: opts.name, log: opts.log, metrics }));
  const body = bodyGuard({
    accept: opts.bodyTypes ?? ['application/json'],
    maxBytes: opts.maxBodyBytes ?? 1 << 20,
  });
  // Path, query and body are checked before any route runs; one layer for all three.
  app.use((c, next) => {
    checkUrl(c.req.url);
    return hasBody(c.req.method) ? body(c, next) : next();
  });

  app.onError((err, c) => {
    if (err instanceof RateLimitedError) {
      return errorResponse(err, c.req.path, { 'retry-after': String(err.retryAfterSeconds) });
    }
    if (err instanceof AppError) {
      // A 5xx that replaced another error answers only "a dependency failed"; the cause, logged, says how. A 4xx
      // is an answer, never logged.
      if (err.status >= 500 && err.cause !== undefined)
        (c.var.log ?? opts.log).warn({ err }, 'request failed');
      return errorResponse(err, c.req.path);
    }
    // Apps that read forms as well as JSON leave the per-route media type check to the route validator.
    if (err instanceof HTTPException && err.status === 415) {
      return errorResponse(
        new BadRequestError('UNSUPPORTED_MEDIA_TYPE', 'This route does not read that Content-Type.', {
          cause: err,
        }),
        c.req.path,
      );
    }
    // Hono's validators throw only 400s (malformed JSON, an unreadable body), and no middleware of Hono's that
    // throws other 4xx is used: each is a 400 with a code of its own.
    if (err instanceof HTTPException && err.status < 500) {
      return errorResponse(
        /malformed json/i.test(err.message)
          ? new BadRequestError('MALFORMED_JSON', 'The request body is not valid JSON.', { cause: err })
          : new BadRequestError('BAD_REQUEST', 'The request could not be read.', { cause: err }),
        c.req.path,
      );
    }
    if (isDataException(err)) {
      // Validation should have refused the value; the database did. Still the client's input, so a 400 — and a
      // warning, because it names a gap in validation.
      (c.var.log ?? opts.log).warn({ err }, 'the database refused a value that passed validation');
      return errorResponse(
        new BadRequestError('INVALID_VALUE', 'A value in the request cannot be stored.', { cause: err }),
        c.req.path,
      );
    }
    (c.var.log ?? opts.log).error({ err }, 'unhandled error');
    return errorResponse(internalError(), c.req.path);
  });
  app.notFound((c) =>
    errorResponse(new NotFoundError(`No route for ${c.req.method} ${c.req.path}.`), c.req.path),
  );

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const checks: Record<string, string> = {};
    let ready = !app.state.draining;
    await Promise.all(
      Object.entries(readiness).map(async ([name, check]) => {
        try {
          await withTimeout(check(), readinessTimeoutMs);
          checks[name] = 'ok';
        } catch (err) {
          ready = false;
          checks[name] = err instanceof NotReadyError ? err.state : 'unavailable';
          c.var.log.warn({ check: name, err: (err as Error).message }, 'readiness check failed');
        }
      }),
    );
    if (app.state.draining) checks.shutdown = 'draining';
    return c.json({ status: ready ? 'ok' : 'unavailable', checks }, ready ? 200 : 503);
  });
  return app;
}
