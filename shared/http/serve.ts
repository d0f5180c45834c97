import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import { AppError, BadRequestError } from '../errors';
import type { Logger } from '../log';
import { PROBLEM_CONTENT_TYPE, problemFromError } from './problem';

export type Served = { port: number; close: () => Promise<void> };

type Fetch = (req: Request, env?: unknown) => Response | Promise<Response>;

/** Listens and resolves once the port is bound (port 0 picks a free one, which tests use). */
export async function listen(
  fetch: Fetch,
  opts: { port: number; host: string; tls?: { cert: string; key: string } },
): Promise<Served> {
  // node:https (and tls) only where TLS is served: loading them costs a plain listener's start ~15 ms.
  const createHttpsServer = opts.tls ? (await import('node:https')).createServer : undefined;
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch,
        port: opts.port,
        hostname: opts.host,
        ...(opts.tls && createHttpsServer
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
    server.on('clientError', answerClientError);
  });
}

const CLIENT_ERRORS: Record<string, () => AppError> = {
  HPE_HEADER_OVERFLOW: () =>
    new AppError(
      431,
      'HEADERS_TOO_LARGE',
      'Request Header Fields Too Large',
      'The request headers are too large.',
    ),
  ERR_HTTP_REQUEST_TIMEOUT: () =>
    new AppError(408, 'REQUEST_TIMEOUT', 'Request Timeout', 'The request took too long to arrive.'),
};

const malformedRequest = () => new BadRequestError('MALFORMED_REQUEST', 'The request is not valid HTTP.');

/**
 * What Node's HTTP parser refuses before any app sees the request (oversized headers, malformed HTTP, a request
 * that never finishes) gets the same problem+json every other error gets, instead of Node's bare status line.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex) {
  if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const problem = problemFromError((CLIENT_ERRORS[err.code ?? ''] ?? malformedRequest)());
  const body = JSON.stringify(problem);
  socket.end(
    `HTTP/1.1 ${problem.status} ${problem.title}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n${body}`,
  );
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
