import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON lines on stdout (tests may pass another destination to read them); request-scoped children carry `reqId`
 * so one request's lines can be grepped together.
 */
export function createLogger(opts: { level: string; name: string; destination?: DestinationStream }): Logger {
  const options: LoggerOptions<never> = {
    name: opts.name,
    level: opts.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token'],
      remove: true,
    },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
