import { readFileSync } from 'node:fs';
import { loadEnvOrExit } from '../env';
import { OperatorError } from '../errors';
import type { HexabaseApp } from '../http/app';
import { listen, onShutdown } from '../http/serve';
import { createLogger } from '../log';
import { createPlatform, type Platform } from '.';

/**
 * Starts a process: env, logger, platform, app, listener, graceful shutdown. Startup failures an operator can
 * fix print one line and exit 1; anything else is a bug and is logged with its stack.
 */
export async function runProcess(
  name: string,
  build: (platform: Platform) => Promise<{
    fetch: (req: Request, env?: unknown) => Response | Promise<Response>;
    apps: HexabaseApp[];
    onShutdown?: () => Promise<void>;
  }>,
  opts: { migrate?: boolean; envDefaults?: Record<string, string> } = {},
): Promise<void> {
  const env = loadEnvOrExit({ ...opts.envDefaults, ...process.env });
  const log = createLogger({ level: env.LOG_LEVEL, name });
  let platform: Platform;
  try {
    platform = await createPlatform(env, log, {
      name,
      migrate: opts.migrate ?? env.HEXABASE_MIGRATE_ON_START,
    });
  } catch (err) {
    if (err instanceof OperatorError) {
      console.error(`hexabase: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const { fetch, apps, onShutdown: stopWork } = await build(platform);
  const served = await listen(fetch, { port: env.PORT, host: env.HOST });
  log.info({ port: served.port }, `${name} listening on http://localhost:${served.port}`);
  const tls =
    env.HEXABASE_TLS_CERT_FILE && env.HEXABASE_TLS_KEY_FILE
      ? await listen(fetch, {
          port: env.HEXABASE_TLS_PORT,
          host: env.HOST,
          tls: {
            cert: readFileSync(env.HEXABASE_TLS_CERT_FILE, 'utf8'),
            key: readFileSync(env.HEXABASE_TLS_KEY_FILE, 'utf8'),
          },
        })
      : undefined;
  if (tls) log.info({ tlsPort: tls.port }, `${name} listening on https://localhost:${tls.port}`);
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
      { name: 'platform', run: platform.close },
    ],
  });
}
