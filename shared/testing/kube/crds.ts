import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { toolPath } from './binaries';
import { kubectl } from './kubectl';

/**
 * Real upstream CustomResourceDefinitions as test fixtures (test support, never imported by product code): Knative
 * Serving and Eventing, Flux source/helm, prometheus-operator, Kyverno, Traefik and Tekton, copied from their Go
 * modules by scripts/crds/fetch.sh at the versions pinned in scripts/crds/versions.txt.
 */

/** The field manager of every fixture CRD, so concurrent test files applying the same CRDs never conflict. */
export const CRD_FIELD_MANAGER = 'hexabase-test-crds';

let crdDir: string | undefined;

/** Fetches the fixture CRDs when missing (progress on stderr) and returns their directory; once per process. */
export function ensureCrds(): string {
  crdDir ??= toolPath('scripts/crds/fetch.sh');
  return crdDir;
}

export type CrdDocument = { name: string; file: string; text: string };

/**
 * A CRD's metadata.name read from its YAML text: the `name:` line at the indentation of metadata's children.
 * Upstream CRD files are megabytes of block-style YAML (Kyverno's alone is 1.4 MB), which a full parse takes
 * seconds over; kubectl and the API server get the text untouched.
 */
function metadataName(doc: string): string | undefined {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => /^metadata:\s*$/.test(l));
  if (start < 0) return undefined;
  let indent: number | undefined;
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line) && !line.startsWith('#')) return undefined;
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const at = line.length - trimmed.length;
    indent ??= at;
    const m = at === indent ? /^name:\s*["']?([a-z0-9.-]+)["']?\s*(#.*)?$/.exec(trimmed) : null;
    if (m) return m[1];
  }
  return undefined;
}

/** The CRD documents of YAML files, split on document markers; other kinds of document are left out. */
export function crdDocuments(files: string[]): CrdDocument[] {
  const docs: CrdDocument[] = [];
  for (const file of files) {
    for (const text of readFileSync(file, 'utf8').split(/^---[ \t]*$/m)) {
      if (!/^kind:\s*CustomResourceDefinition\s*$/m.test(text)) continue;
      const name = metadataName(text);
      if (!name) throw new Error(`a CustomResourceDefinition in ${file} has no metadata.name line`);
      docs.push({ name, file, text });
    }
  }
  return docs;
}

const yamlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));

/** Every CRD of the fixture set (fetching it when missing). */
export function fixtureCrds(): CrdDocument[] {
  return crdDocuments(yamlFiles(ensureCrds()));
}

/**
 * The CRDs the Flux/vCluster stand-in installs on the host cluster from shared/testing/kube/fixtures (HelmRelease
 * and Traefik's IngressRouteTCP, deliberately loose). Installing the real ones over them would change what every
 * other test file sees, so installCrds leaves them alone unless told otherwise.
 */
export function standInCrdNames(): string[] {
  return crdDocuments(yamlFiles(join(import.meta.dirname, 'fixtures'))).map((d) => d.name);
}

/** The label installCrds puts on each CRD once it is Established: the fixture set's stamp (its directory name). */
export const CRD_FIXTURE_LABEL = 'hexabase.dev/crd-fixture';

/**
 * Applies every fixture CRD (server-side apply, field manager CRD_FIELD_MANAGER), waits until each is Established
 * and returns their names. Idempotent, and safe when test files sharing the run's host cluster call it at the same
 * time; once a cluster has this fixture set (every CRD Established and labelled with its stamp) a call only checks
 * that, unless `force`. `skip` names CRDs to leave out: by default the stand-in's (standInCrdNames()), which on the
 * host stay the stand-in's loose ones; pass `skip: []` on a cluster of your own (a virtual cluster) for all the
 * real ones.
 */
export async function installCrds(
  kubectlPath: string,
  kubeconfigPath: string,
  opts: { skip?: readonly string[]; force?: boolean } = {},
): Promise<string[]> {
  const skip = new Set(opts.skip ?? standInCrdNames());
  const stamp = basename(ensureCrds());
  const crds = fixtureCrds().filter((c) => !skip.has(c.name));
  const names = crds.map((c) => c.name);
  const refs = names.map((n) => `customresourcedefinition/${n}`);
  const run = (args: string[], stdin?: string) =>
    kubectl(kubectlPath, args, { kubeconfig: kubeconfigPath, ...(stdin ? { input: stdin } : {}) });

  if (!opts.force) {
    // The server's table (names only), not the objects: together they are megabytes of schema.
    const marked = await run([
      'get',
      'customresourcedefinitions',
      '-l',
      `${CRD_FIXTURE_LABEL}=${stamp}`,
      '--no-headers',
    ]);
    const have = new Set(marked.stdout.split('\n').map((l) => l.split(/\s+/)[0]));
    if (marked.code === 0 && names.every((n) => have.has(n))) return names;
  }

  const input = crds.map((c) => c.text).join('\n---\n');
  for (let attempt = 1; ; attempt++) {
    const applied = await run(
      ['apply', '--server-side', '--field-manager', CRD_FIELD_MANAGER, '-f', '-'],
      input,
    );
    if (applied.code === 0) break;
    // A concurrent apply of the same objects can lose an optimistic-concurrency race; the next attempt settles it.
    if (attempt === 3) throw new Error(`installing the fixture CRDs failed: ${applied.stderr}`);
    await new Promise((r) => setTimeout(r, 500 * attempt));
  }
  const established = await run(['wait', '--for', 'condition=established', '--timeout=180s', ...refs]);
  if (established.code !== 0)
    throw new Error(`the fixture CRDs did not become Established: ${established.stderr}`);
  const marked = await run(['label', '--overwrite', ...refs, `${CRD_FIXTURE_LABEL}=${stamp}`]);
  if (marked.code !== 0) throw new Error(`labelling the fixture CRDs failed: ${marked.stderr}`);
  return names;
}

type Model = { validate(): void };
type ModelClass = { new (data: object): Model; apiVersion: string; kind: string };

/** The model package of an API group: kubernetes-models for Kubernetes' own groups. */
const MODEL_PACKAGES: [(group: string) => boolean, string][] = [
  [(g) => g.endsWith('.knative.dev'), '@kubernetes-models/knative'],
  [(g) => g.endsWith('.toolkit.fluxcd.io'), '@kubernetes-models/flux-cd'],
  [(g) => g === 'monitoring.coreos.com', '@kubernetes-models/prometheus-operator'],
  [(g) => !g.includes('.') || g.endsWith('.k8s.io'), 'kubernetes-models'],
];

/**
 * Kinds of the fixture CRDs that no installed model package has: checked only by a server dry-run against the real
 * CRD. @kubernetes-models/flux-cd 2.3 stops at helm.toolkit.fluxcd.io/v2beta2 and has only GitRepository in
 * source.toolkit.fluxcd.io/v1. `crd` is the CRD that serves the kind (the host's HelmRelease and IngressRouteTCP
 * are the stand-in's loose ones unless installCrds was told `skip: []`).
 */
export const NO_MODEL_KINDS: readonly { apiVersion: string; kind: string; crd: string }[] = [
  { apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', crd: 'clusterpolicies.kyverno.io' },
  { apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware', crd: 'middlewares.traefik.io' },
  { apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRoute', crd: 'ingressroutes.traefik.io' },
  { apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRouteTCP', crd: 'ingressroutetcps.traefik.io' },
  { apiVersion: 'tekton.dev/v1', kind: 'Pipeline', crd: 'pipelines.tekton.dev' },
  { apiVersion: 'tekton.dev/v1', kind: 'Task', crd: 'tasks.tekton.dev' },
  { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', crd: 'pipelineruns.tekton.dev' },
  {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    crd: 'helmreleases.helm.toolkit.fluxcd.io',
  },
  {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    crd: 'helmrepositories.source.toolkit.fluxcd.io',
  },
];

const requireModel = createRequire(import.meta.url);

function modelClass(apiVersion: string, kind: string): ModelClass | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const pkg = MODEL_PACKAGES.find(([matches]) => matches(group!))?.[1];
  if (!pkg || !version) return undefined;
  let exports: Record<string, unknown>;
  try {
    exports = requireModel(group ? `${pkg}/${group}/${version}` : `${pkg}/${version}`);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' || code === 'MODULE_NOT_FOUND') return undefined;
    throw e;
  }
  const cls = exports[kind] as ModelClass | undefined;
  return typeof cls === 'function' && cls.apiVersion === apiVersion && cls.kind === kind ? cls : undefined;
}

/**
 * Checks an object against its model from kubernetes-models or the @kubernetes-models package of its API group
 * (Knative, Flux, prometheus-operator), throwing with the model's message; returns 'valid'. Kinds with no model
 * (NO_MODEL_KINDS: Kyverno, Traefik, Tekton, Flux's HelmRelease v2 and HelmRepository v1) return 'no-model': the
 * caller checks those by a server dry-run against the real CRD. Any other kind throws.
 */
export function validateWithModels(obj: unknown): 'valid' | 'no-model' {
  const { apiVersion, kind, metadata } = (obj ?? {}) as {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: { name?: unknown; namespace?: unknown };
  };
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    throw new Error(`not a Kubernetes object (no apiVersion/kind): ${JSON.stringify(obj)?.slice(0, 200)}`);
  }
  const what = `${apiVersion} ${kind} ${metadata?.namespace ? `${metadata.namespace}/` : ''}${metadata?.name ?? '?'}`;
  const cls = modelClass(apiVersion, kind);
  if (!cls) {
    if (NO_MODEL_KINDS.some((k) => k.apiVersion === apiVersion && k.kind === kind)) return 'no-model';
    throw new Error(`${what}: no model and no fixture CRD knows this kind`);
  }
  try {
    new cls(obj as object).validate();
  } catch (e) {
    throw new Error(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return 'valid';
}
