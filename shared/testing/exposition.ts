import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';

export type Family = {
  /** As the parser names it: a counter without its `_total`. */
  name: string;
  type: string;
  help: string;
  samples: { name: string; labels: Record<string, string>; value: number | string }[];
};

/**
 * A Prometheus text exposition read by Python's official client parser (prometheus_client, Debian's
 * python3-prometheus-client, which scripts/ensure-services.sh installs): its families, or its refusal.
 */
export async function parseExposition(text: string): Promise<Family[]> {
  if (!existsSync(PYTHON))
    throw new Error(
      `${PYTHON} is missing: run scripts/ensure-services.sh (it installs python3-prometheus-client)`,
    );
  const out = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      PYTHON,
      [join(import.meta.dirname, 'parse_metrics.py')],
      { maxBuffer: 64 << 20, env: { PYTHONDONTWRITEBYTECODE: '1' } },
      (err, stdout, stderr) =>
        err ? reject(new Error(`the parser refused: ${stderr || err.message}`)) : resolve(stdout),
    );
    child.stdin!.end(text);
  });
  return JSON.parse(out) as Family[];
}
