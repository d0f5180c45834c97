import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ciPipeline, PIPELINE_SA, pipelineServiceAccount, tektonPipeline, tektonPipelineRun } from './tekton';
import { OPTS, Pipeline, Task, tasksOf } from './tekton-testing';

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
