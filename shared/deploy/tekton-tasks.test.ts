import { Pod } from 'kubernetes-models/v1/Pod';
import { describe, expect, it } from 'vitest';
import { TOOL_IMAGES } from './tekton-tasks';
import { OPTS, tasksOf } from './tekton-testing';

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
});
