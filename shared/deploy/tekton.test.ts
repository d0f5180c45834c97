import { Pod } from 'kubernetes-models/v1/Pod';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import * as z from 'zod';
import {
  ciPipeline,
  PIPELINE_SA,
  pipelineServiceAccount,
  type TektonOptions,
  TOOL_IMAGES,
  tektonPipeline,
  tektonPipelineRun,
  tektonTasks,
} from './tekton';

const OPTS: TektonOptions = { namespace: 'hexabase-ci', image: 'ghcr.io/hexabase/hexabase' };

// Strict shapes with the keys of the tekton.dev/v1 CRDs (tektoncd/pipeline v1.15.0, config/300-crds/300-task.yaml
// and 300-pipeline.yaml): an unknown or misspelt key fails here before a cluster's dry-run would.
const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
  .max(63);
const meta = z.strictObject({
  name: dnsLabel,
  namespace: z.string(),
  labels: z.record(z.string(), z.string()),
});
const named = { name: z.string(), description: z.string().optional() };
const profile = z.strictObject({ type: z.enum(['RuntimeDefault', 'Unconfined', 'Localhost']) });
const securityContext = z.strictObject({
  allowPrivilegeEscalation: z.boolean(),
  appArmorProfile: profile.optional(),
  capabilities: z.strictObject({ add: z.array(z.string()).optional(), drop: z.array(z.string()) }).optional(),
  privileged: z.boolean().optional(),
  readOnlyRootFilesystem: z.boolean().optional(),
  runAsGroup: z.int().optional(),
  runAsNonRoot: z.boolean(),
  runAsUser: z.int(),
  seccompProfile: profile,
});
const step = z.strictObject({
  name: dnsLabel,
  image: z.string(),
  script: z.string().optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.array(z.strictObject({ name: z.string(), value: z.string() })).optional(),
  workingDir: z.string().optional(),
  volumeMounts: z.array(z.strictObject({ name: z.string(), mountPath: z.string() })).optional(),
  computeResources: z.strictObject({ requests: z.record(z.string(), z.string()) }).optional(),
  securityContext,
});
const param = z.strictObject({ ...named, type: z.literal('string'), default: z.string().optional() });
const Task = z.strictObject({
  apiVersion: z.literal('tekton.dev/v1'),
  kind: z.literal('Task'),
  metadata: meta,
  spec: z.strictObject({
    description: z.string(),
    params: z.array(param).optional(),
    workspaces: z.array(z.strictObject({ ...named, readOnly: z.boolean().optional() })),
    results: z.array(z.strictObject({ ...named, type: z.literal('string') })).optional(),
    volumes: z.array(z.strictObject({ name: dnsLabel, emptyDir: z.strictObject({}) })).optional(),
    steps: z.array(step).min(1),
  }),
});
const Pipeline = z.strictObject({
  apiVersion: z.literal('tekton.dev/v1'),
  kind: z.literal('Pipeline'),
  metadata: meta,
  spec: z.strictObject({
    description: z.string(),
    params: z.array(param),
    workspaces: z.array(z.strictObject({ ...named, optional: z.boolean().optional() })),
    tasks: z.array(
      z.strictObject({
        name: dnsLabel,
        taskRef: z.strictObject({ kind: z.literal('Task'), name: dnsLabel }),
        runAfter: z.array(z.string()).optional(),
        params: z.array(z.strictObject({ name: z.string(), value: z.string() })),
        workspaces: z.array(z.strictObject({ name: z.string(), workspace: z.string() })),
      }),
    ),
    results: z.array(z.strictObject({ name: z.string(), value: z.string() })),
  }),
});
type Task = z.infer<typeof Task>;
type Pipeline = z.infer<typeof Pipeline>;

const tasksOf = (opts = OPTS) => tektonTasks(opts).map((t) => Task.parse(t));
const names = (items: { name: string }[] = []) => new Set(items.map((i) => i.name));

/** Every `$(…)` in the strings of a value: Tekton substitutes these; the scripts use no shell `$(…)` at all. */
function references(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(/\$\(([^)]*)\)/g)].map((m) => m[1]!);
  if (Array.isArray(value)) return value.flatMap(references);
  if (value && typeof value === 'object') return Object.values(value).flatMap(references);
  return [];
}

/** References in a Task's steps that name no declared param, workspace or result. */
function taskProblems(task: Task): string[] {
  const { params, workspaces, results } = task.spec;
  return references(task.spec.steps).flatMap((ref) => {
    const [kind, name, tail] = ref.split('.');
    const ok =
      (kind === 'params' && tail === undefined && names(params).has(name!)) ||
      (kind === 'workspaces' && tail === 'path' && names(workspaces).has(name!)) ||
      (kind === 'results' && tail === 'path' && names(results).has(name!));
    return ok ? [] : [`${task.metadata.name}: $(${ref})`];
  });
}

/** What a Pipeline passes, binds and references that its Tasks or itself do not declare. */
function pipelineProblems(pipeline: Pipeline, tasks: Task[]): string[] {
  const problems: string[] = [];
  const stages = new Map(pipeline.spec.tasks.map((s) => [s.name, s]));
  const taskOf = (stage: string) => tasks.find((t) => t.metadata.name === stages.get(stage)?.taskRef.name);
  const check = (where: string, ref: string) => {
    const [kind, a, b, c] = ref.split('.');
    const ok =
      (kind === 'params' && b === undefined && names(pipeline.spec.params).has(a!)) ||
      (kind === 'tasks' && b === 'results' && names(taskOf(a!)?.spec.results).has(c!));
    if (!ok) problems.push(`${where}: $(${ref})`);
  };
  for (const stage of pipeline.spec.tasks) {
    const task = taskOf(stage.name);
    if (!task) {
      problems.push(`${stage.name}: no Task ${stage.taskRef.name}`);
      continue;
    }
    const passed = names(stage.params);
    for (const p of stage.params)
      if (!names(task.spec.params).has(p.name)) problems.push(`${stage.name}: ${p.name}`);
    for (const p of task.spec.params ?? [])
      if (!p.default && !passed.has(p.name)) problems.push(`${stage.name}: no ${p.name}`);
    for (const ref of references(stage.params)) check(stage.name, ref);
    const bound = names(stage.workspaces);
    for (const w of stage.workspaces) {
      if (!names(task.spec.workspaces).has(w.name)) problems.push(`${stage.name}: workspace ${w.name}`);
      if (!names(pipeline.spec.workspaces).has(w.workspace)) problems.push(`${stage.name}: ${w.workspace}`);
    }
    for (const w of task.spec.workspaces)
      if (!bound.has(w.name)) problems.push(`${stage.name}: unbound ${w.name}`);
    for (const after of stage.runAfter ?? [])
      if (!stages.has(after)) problems.push(`${stage.name}: after ${after}`);
  }
  for (const ref of references(pipeline.spec.results)) check('results', ref);
  return problems;
}

/** Every stage that must finish before `name` starts. */
function ancestors(pipeline: Pipeline, name: string, seen = new Set<string>()): Set<string> {
  for (const after of pipeline.spec.tasks.find((t) => t.name === name)?.runAfter ?? [])
    if (!seen.has(after)) ancestors(pipeline, after, seen.add(after));
  return seen;
}

const stepsOf = (task: string, tasks = tasksOf()) =>
  tasks.find((t) => t.metadata.name === `hexabase-${task}`)!.spec.steps;
/** The value after a flag, if the flag is there. */
const after = (args: string[], flag: string) =>
  args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined;
/** The gate: Trivy scans this tarball and exits non-zero on any HIGH or CRITICAL finding. */
const gates = (args: string[], tarball: string) =>
  after(args, '--input') === tarball &&
  after(args, '--exit-code') === '1' &&
  after(args, '--severity') === 'HIGH,CRITICAL';

describe('the Tekton CI pipeline (test, build, Trivy gate, push)', () => {
  it('is five well-formed tekton.dev/v1 Tasks and a Pipeline: known keys, DNS names, a securityContext per step', () => {
    const objects = tektonPipeline(OPTS);
    expect(objects.map((o) => o.kind)).toEqual(['Task', 'Task', 'Task', 'Task', 'Task', 'Pipeline']);
    expect(() => Pipeline.parse(objects.at(-1))).not.toThrow();
    expect(tasksOf().map((t) => t.metadata.name)).toEqual(
      ['clone', 'test', 'build', 'scan', 'push'].map((n) => `hexabase-${n}`),
    );
    expect(() => Task.parse({ ...objects[0], spec: { ...objects[0]!.spec, stepz: [] } })).toThrow();
    // Survives the chart's rendering: plain data, no undefined holes, no object shared between two places
    // (which YAML would render as anchors, and which a change to one would change in both).
    for (const o of objects) expect(parse(stringify(o))).toStrictEqual(o);
    expect(stringify([...objects, pipelineServiceAccount(OPTS)])).not.toMatch(/[&*]a\d/);
  });

  it('runs clone → test → build → scan → push, each stage waiting for the one before', () => {
    const pipeline = Pipeline.parse(ciPipeline(OPTS));
    expect(pipeline.spec.tasks.map((t) => [t.name, t.runAfter ?? []])).toEqual([
      ['fetch-source', []],
      ['test', ['fetch-source']],
      ['build', ['test']],
      ['scan', ['build']],
      ['push', ['scan']],
    ]);
  });

  it('cannot push before the scan passed, and only the push holds the registry credentials', () => {
    const pipeline = Pipeline.parse(ciPipeline(OPTS));
    expect([...ancestors(pipeline, 'push')].sort()).toEqual(['build', 'fetch-source', 'scan', 'test']);
    const withCredentials = pipeline.spec.tasks.filter((t) =>
      names(t.workspaces).has('registry-credentials'),
    );
    expect(withCredentials.map((t) => t.name)).toEqual(['push']);
    // The check catches a push that only waits for the build.
    const early = structuredClone(pipeline);
    early.spec.tasks.find((t) => t.name === 'push')!.runAfter = ['build'];
    expect(ancestors(early, 'push').has('scan')).toBe(false);
  });

  it('gates on the built tarball: trivy image --input <tar> --exit-code 1 --severity HIGH,CRITICAL --ignore-unfixed', () => {
    const [trivy] = stepsOf('scan');
    const args = trivy!.args!;
    const output = stepsOf('build')[0]!.args!.find((a) => a.startsWith('type=docker'))!;
    const tarball = /dest=([^,]+)$/.exec(output)![1]!;
    expect(trivy!.command).toEqual(['trivy']);
    expect(args.slice(0, 1)).toEqual(['image']);
    expect(gates(args, tarball)).toBe(true);
    expect(args).toContain('--ignore-unfixed');
    expect(stepsOf('push')[0]!.env).toContainEqual({ name: 'TARBALL', value: tarball });
    expect(
      gates(
        args.filter((a) => a !== '--exit-code' && a !== '1'),
        tarball,
      ),
    ).toBe(false);
    expect(
      gates(
        args.map((a) => (a === 'HIGH,CRITICAL' ? 'CRITICAL' : a)),
        tarball,
      ),
    ).toBe(false);
  });

  it('references only declared params, workspaces and results (every $(…) is walked)', () => {
    const tasks = tasksOf();
    expect(tasks.flatMap(taskProblems)).toEqual([]);
    expect(pipelineProblems(Pipeline.parse(ciPipeline(OPTS)), tasks)).toEqual([]);

    const [clone] = structuredClone(tasks);
    clone!.spec.steps[0]!.env!.push({ name: 'X', value: '$(params.branch) $(workspaces.cache.path)' });
    expect(taskProblems(clone!)).toEqual([
      'hexabase-clone: $(params.branch)',
      'hexabase-clone: $(workspaces.cache.path)',
    ]);
    const pipeline = Pipeline.parse(ciPipeline(OPTS));
    const push = pipeline.spec.tasks.at(-1)!;
    push.params[0]!.value = '$(params.registry)';
    push.workspaces = [{ name: 'source', workspace: 'src' }];
    pipeline.spec.results[0]!.value = '$(tasks.push.results.DIGEST)';
    expect(pipelineProblems(pipeline, tasks)).toEqual([
      'push: $(params.registry)',
      'push: src',
      'push: unbound registry-credentials',
      'results: $(tasks.push.results.DIGEST)',
    ]);
  });

  it('passes params to scripts through env only, never spliced into the script text (no shell injection)', () => {
    for (const s of tasksOf().flatMap((t) => t.spec.steps))
      expect(s.script ?? '').not.toMatch(/\$\(params\./);
  });

  it('runs every step non-root, unescalated, capability-less and read-only but the two that cannot', () => {
    for (const task of tasksOf())
      for (const { name, securityContext: sc } of task.spec.steps) {
        expect(sc.privileged, name).not.toBe(true);
        if (name === 'test') {
          // apt-get (ensure-services.sh) needs root: escalation is still off and capabilities are listed.
          expect(sc).toMatchObject({
            runAsUser: 0,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          });
          expect(sc.capabilities?.add).not.toContain('SYS_ADMIN');
        } else if (name === 'build') {
          // Rootless BuildKit: non-root, but user namespaces need newuidmap and unconfined seccomp/AppArmor.
          expect(sc).toMatchObject({
            runAsNonRoot: true,
            runAsUser: 1000,
            seccompProfile: { type: 'Unconfined' },
          });
          expect(sc.capabilities).toBeUndefined();
        } else
          expect(sc).toMatchObject({
            runAsNonRoot: true,
            runAsUser: 1000,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          });
      }
  });

  it('pins every tool image by a tag (never latest), and takes digests from the options', () => {
    for (const image of Object.values(TOOL_IMAGES))
      expect(image).toMatch(/^[\w.-]+\/[\w./-]+:(?!latest$)[\w][\w.-]*$/);
    const pinned = `${TOOL_IMAGES.trivy}@sha256:${'a'.repeat(64)}`;
    expect(stepsOf('scan', tasksOf({ ...OPTS, toolImages: { trivy: pinned } }))[0]!.image).toBe(pinned);
    const used = new Set(tasksOf().flatMap((t) => t.spec.steps.map((s) => s.image)));
    expect([...used].sort()).toEqual(Object.values(TOOL_IMAGES).sort());
  });

  it('has steps and volumes that are valid Kubernetes containers and volumes (kubernetes-models)', () => {
    for (const task of tasksOf()) {
      const containers = task.spec.steps.map(({ script: _, computeResources, ...c }) => ({
        ...c,
        resources: computeResources,
      }));
      const pod = new Pod({
        metadata: { name: task.metadata.name },
        spec: { volumes: task.spec.volumes, containers },
      });
      expect(() => pod.validate(), task.metadata.name).not.toThrow();
    }
  });

  it('runs as its own ServiceAccount, without an API token (the steps never call Kubernetes)', () => {
    const sa = pipelineServiceAccount(OPTS);
    expect(() => new ServiceAccount(sa).validate()).not.toThrow();
    expect(sa).toMatchObject({ metadata: { name: PIPELINE_SA, namespace: 'hexabase-ci' } });
    expect(sa.automountServiceAccountToken).toBe(false);
  });

  it('has an example PipelineRun that binds every workspace and param the Pipeline needs', () => {
    const pipeline = Pipeline.parse(ciPipeline(OPTS));
    const run = tektonPipelineRun(OPTS, {
      tag: '0.2.0',
      credentialsSecret: 'ghcr-push',
      gitRevision: 'v0.2.0',
    });
    expect(run.spec.taskRunTemplate.serviceAccountName).toBe(pipelineServiceAccount(OPTS).metadata.name);
    expect(names(run.spec.workspaces)).toEqual(names(pipeline.spec.workspaces));
    const required = pipeline.spec.params.filter((p) => p.default === undefined).map((p) => p.name);
    expect(required).toEqual(['tag']);
    for (const p of run.spec.params) expect(names(pipeline.spec.params).has(p.name), p.name).toBe(true);
    expect(names(run.spec.params).has('tag')).toBe(true);
    // A fresh volume belongs to root; fsGroup lets the uid-1000 steps write the checkout and the tarball.
    expect(run.spec.taskRunTemplate.podTemplate.securityContext.fsGroup).toBe(1000);
  });
});
