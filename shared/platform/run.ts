import { readFileSync } from 'node:fs';
import type { Registry } from 'prom-client';
import { loadEnvOrExit } from '../env';
import { OperatorError } from '../errors';
import type { AppOptions, HexabaseApp } from '../http/app';
import { metricsFetch, processRegistry } from '../http/metrics';
import { listen, onShutdown } from '../http/serve';
import { createLogger } from '../log';
import { createPlatform, type Platform, type PlatformOptions } from '.';

/**
 * Starts a process: env, logger, platform, app, listener, metrics listener, graceful shutdown. Startup failures
 * an operator can fix print one line and exit 1; anything else is a bug and is logged with its stack.
 * `registry` is the process's one Prometheus registry: every app the process builds registers into it, and it
 * is served on METRICS_PORT only.
 */
export async function runProcess(
  name: string,
  build: (
    platform: Platform,
    ctx: { registry: Registry },
  ) => Promise<{
    fetch: (req: Request, env?: unknown) => Response | Promise<Response>;
    apps: HexabaseApp[];
    onShutdown?: () => Promise<void>;
  }>,
  opts: Pick<PlatformOptions, 'connectNats'> & {
    migrate?: boolean;
    envDefaults?: Record<string, string>;
  } = {},
): Promise<void> {
  const env = loadEnvOrExit({ ...opts.envDefaults, ...process.env });
  const log = createLogger({ level: env.LOG_LEVEL, name });
  let platform: Platform;
  try {
    platform = await createPlatform(env, log, {
      name,
      migrate: opts.migrate ?? env.HEXABASE_MIGRATE_ON_START,
      ...(opts.connectNats ? { connectNats: opts.connectNats } : {}),
    });
  } catch (err) {
    if (err instanceof OperatorError) {
      console.error(`hexabase: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const registry = processRegistry();
  const { fetch, apps, onShutdown: stopWork } = await build(platform, { registry });
  const served = await bind('PORT', () => listen(fetch, { port: env.PORT, host: env.HOST }));
  log.info({ port: served.port }, `${name} listening on http://localhost:${served.port}`);
  const certificate =
    env.HEXABASE_TLS_CERT_FILE && env.HEXABASE_TLS_KEY_FILE
      ? {
          cert: readFileSync(env.HEXABASE_TLS_CERT_FILE, 'utf8'),
          key: readFileSync(env.HEXABASE_TLS_KEY_FILE, 'utf8'),
        }
      : undefined;
  const tls = certificate
    ? await bind('HEXABASE_TLS_PORT', () =>
        listen(fetch, { port: env.HEXABASE_TLS_PORT, host: env.HOST, tls: certificate }),
      )
    : undefined;
  if (tls) log.info({ tlsPort: tls.port }, `${name} listening on https://localhost:${tls.port}`);
  const metrics = await bind('METRICS_PORT', () =>
    listen(metricsFetch(registry), { port: env.METRICS_PORT, host: env.HOST }),
  );
  log.info({ metricsPort: metrics.port }, `${name} metrics at http://localhost:${metrics.port}/metrics`);
  onShutdown({
    log,
    timeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    steps: [
      {
        name: 'drain',
        run: () => {
          for (const app of apps) app.state.draining = true;
        },
      },
      { name: 'http', run: served.close },
      { name: 'https', run: () => tls?.close() },
      { name: 'background work', run: () => stopWork?.() },
      { name: 'metrics', run: metrics.close },
      { name: 'platform', run: platform.close },
    ],
  });
}

/** A port that is taken or not ours to bind is the operator's to fix: one line, exit 1, no stack. */
async function bind<T>(variable: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw err;
    console.error(`hexabase: cannot listen on ${variable}: ${(err as Error).message}`);
    process.exit(1);
  }
}

/**
 * A function's whole entry point: its app, built from the platform by the same builder the local registry uses,
 * served with the process's logger, readiness checks and metrics registry.
 */
export function serveFunction(name: string, create: (platform: Platform, app: AppOptions) => HexabaseApp) {
  return runProcess(name, async (p, { registry }) => {
    const app = create(p, { log: p.log, readiness: p.readiness, registry });
    return { fetch: app.fetch, apps: [app] };
  });
}
