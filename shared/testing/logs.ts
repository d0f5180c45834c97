import { Writable } from 'node:stream';
import { createLogger } from '../log';

/** The real logger (same redaction and format), writing its JSON lines into an array a test can read. */
export function capturedLogger(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger({ level, name: 'test', destination }), lines };
}
