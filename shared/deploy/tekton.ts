/**
 * An optional Tekton (tekton.dev/v1) pipeline that releases the Hexabase image: clone → test → build → scan →
 * push. The scan is the gate: Trivy fails the run on a fixable HIGH or CRITICAL vulnerability, and only then does
 * the push run, so no image reaches the registry unscanned. Pure builders: the chart renders their output, and its
 * string options may hold Helm template expressions, so nothing here parses or checks them.
 */

import { BUILD_UID, labels, type TektonOptions, tektonTasks } from './tekton-tasks';

export const PIPELINE_NAME = 'hexabase-ci';
export const PIPELINE_SA = 'hexabase-pipeline';
export const DEFAULT_GIT_URL = 'https://github.com/hexabase/hexabase.git';

/** A pipeline task: its Task, the stage it waits for, its params (task param → pipeline param) and workspaces. */
const stage = (name: string, taskName: string, runAfter: string | null, params: Record<string, string>) => ({
  name,
  taskRef: { kind: 'Task', name: `hexabase-${taskName}` },
  ...(runAfter ? { runAfter: [runAfter] } : {}),
  params: Object.entries(params).map(([param, from]) => ({ name: param, value: `$(params.${from})` })),
  workspaces: [
    { name: 'source', workspace: 'source' },
    ...(name === 'push' ? [{ name: 'registry-credentials', workspace: 'registry-credentials' }] : []),
  ],
});

/** The Pipeline: each stage runs after the one before it, so a failed test or scan stops everything after. */
export function ciPipeline(opts: TektonOptions) {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'Pipeline',
    metadata: { name: PIPELINE_NAME, namespace: opts.namespace, labels: labels() },
    spec: {
      description: 'Tests, builds, scans (Trivy gate: HIGH/CRITICAL) and pushes the Hexabase image.',
      params: [
        { name: 'git-url', type: 'string', default: opts.gitUrl ?? DEFAULT_GIT_URL },
        { name: 'git-revision', type: 'string', default: opts.gitRevision ?? 'main' },
        { name: 'image', type: 'string', default: opts.image },
        { name: 'tag', type: 'string', description: 'Tag to push; no default, a release names it.' },
      ],
      workspaces: [
        { name: 'source', description: 'Shared by every stage: a volumeClaimTemplate per run.' },
        { name: 'registry-credentials', description: 'Push credentials (a dockerconfigjson Secret).' },
      ],
      tasks: [
        stage('fetch-source', 'clone', null, { url: 'git-url', revision: 'git-revision' }),
        stage('test', 'test', 'fetch-source', {}),
        stage('build', 'build', 'test', { image: 'image', tag: 'tag' }),
        stage('scan', 'scan', 'build', {}),
        // Only the push holds the registry credentials, and it runs only once the scan has passed.
        stage('push', 'push', 'scan', { image: 'image', tag: 'tag' }),
      ],
      results: [
        { name: 'IMAGE_URL', value: '$(tasks.push.results.IMAGE_URL)' },
        { name: 'IMAGE_DIGEST', value: '$(tasks.push.results.IMAGE_DIGEST)' },
        { name: 'commit', value: '$(tasks.fetch-source.results.commit)' },
      ],
    },
  };
}

/** The Tasks and the Pipeline, in apply order. */
export function tektonPipeline(opts: TektonOptions) {
  return [...tektonTasks(opts), ciPipeline(opts)];
}

/** What runs go as: the steps never call the Kubernetes API, so no token and no RBAC. */
export function pipelineServiceAccount(opts: TektonOptions) {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: opts.serviceAccountName ?? PIPELINE_SA, namespace: opts.namespace, labels: labels() },
    automountServiceAccountToken: false,
  };
}

export type PipelineRunOptions = {
  tag: string;
  /** The Secret with the registry credentials (kubernetes.io/dockerconfigjson). */
  credentialsSecret: string;
  gitRevision?: string;
  /** Size of the per-run source volume: node_modules, the Go-built test binaries and the tarball. */
  storage?: string;
};

/** An example run (docs): fsGroup makes the fresh volume writable to the non-root steps. */
export function tektonPipelineRun(opts: TektonOptions, run: PipelineRunOptions) {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { generateName: `${PIPELINE_NAME}-`, namespace: opts.namespace, labels: labels() },
    spec: {
      pipelineRef: { name: PIPELINE_NAME },
      params: [
        { name: 'tag', value: run.tag },
        ...(run.gitRevision ? [{ name: 'git-revision', value: run.gitRevision }] : []),
      ],
      workspaces: [
        {
          name: 'source',
          volumeClaimTemplate: {
            spec: {
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: run.storage ?? '20Gi' } },
            },
          },
        },
        { name: 'registry-credentials', secret: { secretName: run.credentialsSecret } },
      ],
      taskRunTemplate: {
        serviceAccountName: opts.serviceAccountName ?? PIPELINE_SA,
        podTemplate: { securityContext: { fsGroup: BUILD_UID } },
      },
      timeouts: { pipeline: '3h' },
    },
  };
}
