import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { redactDbError } from '../db/errors';
import { logFields } from '../telemetry/context';

export type { Logger } from 'pino';

/**
 * JSON lines on stdout (tests may pass another destination to read them). `name` is the function's: each line
 * says `function`, and inside a request or event delivery the mixin adds what the active context knows (the app
 * serving it, `reqId`, `orgId`, `wsId`, `traceId`, `spanId`; shared/telemetry/context.ts), so any logger, not
 * only one made for the request, writes lines that can be found by request, workspace or trace.
 */
export function createLogger(opts: { level: string; name: string; destination?: DestinationStream }): Logger {
  const options: LoggerOptions<never> = {
    level: opts.level,
    base: { pid: process.pid },
    mixin: () => logFields(opts.name),
    timestamp: isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: safeError },
    // Personal data and secrets under any of these names are dropped wherever they are logged.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        ...[
          'password',
          'token',
          'accessToken',
          'refreshToken',
          'tokenHash',
          'email',
          'ip',
          'clientIp',
        ].flatMap((k) => [k, `*.${k}`]),
      ],
      remove: true,
    },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

let lastMs = Number.NaN;
let lastTime = '';
/**
 * pino's isoTime, formatted once per millisecond: a busy process writes many lines within one, and formatting a
 * Date costs ~2 µs a line.
 */
function isoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

const EMAIL = /[^\s@"'<>()]+@[^\s@"'<>()]+\.[a-z]{2,}/gi;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;

/**
 * Errors as logs may carry them: database errors by SQLSTATE and statement shape only (their messages and details
 * hold parameters and row values), any other error with addresses scrubbed from its message and stack.
 */
export function safeError(err: unknown): Record<string, unknown> {
  const db = redactDbError(err);
  if (db) return db;
  if (!(err instanceof Error)) return { message: scrub(String(err)) };
  const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  for (const k of ['message', 'stack'] as const)
    if (typeof out[k] === 'string') out[k] = scrub(out[k] as string);
  // Drizzle puts the statement's parameters on its error, PostgreSQL the row values on `detail`.
  for (const k of ['params', 'detail', 'cause']) delete out[k];
  const cause = (err as { cause?: unknown }).cause;
  return cause ? { ...out, cause: safeError(cause) } : out;
}

const scrub = (s: string) => s.replace(EMAIL, '[email]').replace(IPV4, '[ip]');
