import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { serve } from '@hono/node-server';
import type { Logger } from '../log';

export type Served = { port: number; close: () => Promise<void> };

type Fetch = (req: Request, env?: unknown) => Response | Promise<Response>;

/** Listens and resolves once the port is bound (port 0 picks a free one, which tests use). */
export function listen(
  fetch: Fetch,
  opts: { port: number; host: string; tls?: { cert: string; key: string } },
): Promise<Served> {
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch,
        port: opts.port,
        hostname: opts.host,
        ...(opts.tls
          ? { createServer: createHttpsServer, serverOptions: { cert: opts.tls.cert, key: opts.tls.key } }
          : {}),
      },
      (info) => {
        resolve({
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              const http = server as Server;
              http.close(() => done());
              // Keep-alive sockets would hold close() open until the client gives up.
              http.closeIdleConnections();
            }),
        });
      },
    ) as Server;
    server.once('error', reject);
  });
}

/**
 * SIGTERM/SIGINT: stop being ready, stop accepting, let in-flight requests finish, release dependencies,
 * exit 0. A stuck request cannot keep a terminating pod alive past the deadline: then exit 1.
 */
export function onShutdown(opts: {
  log: Logger;
  timeoutMs: number;
  steps: { name: string; run: () => Promise<void> | void }[];
}): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    opts.log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      opts.log.error({ timeoutMs: opts.timeoutMs }, 'shutdown deadline passed; exiting');
      process.exit(1);
    }, opts.timeoutMs);
    deadline.unref();
    for (const step of opts.steps) {
      try {
        await step.run();
      } catch (err) {
        opts.log.warn({ step: step.name, err: (err as Error).message }, 'shutdown step failed');
      }
    }
    opts.log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
