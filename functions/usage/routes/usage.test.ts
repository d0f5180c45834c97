import { describe, expect, it } from 'vitest';
import { USAGE_SAMPLER_SA } from '../../../shared/deploy/rbac';
import { teamOrganization } from '../../../shared/testing/fixtures';
import { serviceAccountHost } from '../../../shared/testing/host-accounts';
import { json } from '../../../shared/testing/http';
import { waitFor } from '../../../shared/testing/kube/supervisor';
import { useProvisioning } from '../../../shared/testing/provisioning';
import { type SamplerDeps, sampleWorkspace } from '../../../shared/usage/sampler';

/** Server-sent events as they arrive: `next()` resolves with the next event's parsed data. */
function sseReader(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    next: async (): Promise<Record<string, unknown>> => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data:'));
          if (data) return JSON.parse(data.slice(5));
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += value;
      }
    },
    close: () => reader.cancel(),
  };
}

const workload = (ns: string) => `
apiVersion: v1
kind: Pod
metadata: { name: web-1, namespace: ${ns} }
spec:
  containers:
    - name: web
      image: registry.example/web:1
      resources: { requests: { cpu: 250m, memory: 128Mi }, limits: { cpu: 500m, memory: 256Mi } }
---
apiVersion: v1
kind: Pod
metadata: { name: web-2, namespace: ${ns} }
spec:
  containers:
    - name: web
      image: registry.example/web:1
      resources: { requests: { cpu: 250m, memory: 128Mi }, limits: { cpu: 500m, memory: 256Mi } }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data, namespace: ${ns} }
spec:
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 1Gi } }
---
apiVersion: v1
kind: Service
metadata: { name: public, namespace: ${ns} }
spec:
  type: LoadBalancer
  selector: { app: web }
  ports: [{ port: 80 }]
`;

describe('workspace usage, sampled from the vCluster on the real host cluster', () => {
  const p = useProvisioning();
  const sampler = (): SamplerDeps => ({
    db: p.platform().db,
    // The sampler's own account, as in the chart: a read beyond its RBAC fails here with the API server's 403.
    host: serviceAccountHost(USAGE_SAMPLER_SA),
    log: p.platform().log,
    intervalSeconds: 5,
  });

  it('shows pods, claims and load balancers created with kubectl in the API, its series and its stream; a stopped vCluster reads as stale', async () => {
    const team = await teamOrganization(p.platform());
    const { workspaceId } = await json(
      await p.api(team.admin.token, `/api/v1/organizations/${team.orgId}/workspaces`, {
        method: 'POST',
        body: JSON.stringify({ name: `usage-${Date.now()}`, planId: 'standard' }),
      }),
    );
    const project = await json(
      await p.api(team.admin.token, `/api/v1/workspaces/${workspaceId}/projects`, {
        method: 'POST',
        body: JSON.stringify({ name: 'apps' }),
      }),
    );
    expect(await p.converge(workspaceId)).toBe('running');
    const usage = (query = '') => p.api(team.admin.token, `/api/v1/workspaces/${workspaceId}/usage${query}`);

    const before = await json(await usage());
    expect(before).toMatchObject({ sampledAt: null, stale: true, quota: {} });
    expect(before.projects).toEqual([{ projectId: project.id, name: 'apps', quota: {} }]);

    const stream = await p.api(team.admin.token, `/api/v1/workspaces/${workspaceId}/usage`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const events = sseReader(stream);
    expect(await events.next()).toMatchObject({ sampledAt: null, stale: true });

    const kc = await (
      await p.api(
        team.admin.token,
        `/api/v1/organizations/${team.orgId}/workspaces/${workspaceId}/kubeconfig?mode=token`,
      )
    ).text();
    const applied = await waitFor(
      'kubectl to reach the workspace',
      async () => {
        const r = await p.applyWith(kc, workload('apps'));
        return r.code === 0 ? r : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(applied.stdout).toContain('pod/web-2 created');
    // The vCluster's quota controller counts them; the sample reads its status.
    await waitFor(
      'the quota controller to count the workload',
      async () => {
        const r = await p.kubectlWith(
          kc,
          'get',
          'resourcequota',
          'hexabase-quota',
          '-n',
          'apps',
          '-o',
          'json',
        );
        const used = r.code === 0 ? JSON.parse(r.stdout).status?.used : undefined;
        return used?.pods === '2' && used?.persistentvolumeclaims === '1' ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 300 },
    );

    // Two samplers at once (a duplicate tick): one samples, the other finds the lease held.
    const outcomes = await Promise.all([
      sampleWorkspace(sampler(), workspaceId),
      sampleWorkspace(sampler(), workspaceId),
    ]);
    expect(outcomes.sort()).toEqual(['busy', 'sampled']);

    const expected = {
      pods: { used: '2', hard: '100' },
      'requests.cpu': { used: '500m', hard: '8' },
      'requests.memory': { used: '256Mi', hard: '16Gi' },
      'limits.cpu': { used: '1', hard: '16' },
      persistentvolumeclaims: { used: '1', hard: '20' },
      'requests.storage': { used: '1Gi', hard: '100Gi' },
      'services.loadbalancers': { used: '1', hard: '2' },
    };
    const now = await json(await usage());
    expect(now).toMatchObject({ stale: false, staleReason: null, quota: expected });
    expect(now.projects).toEqual([
      { projectId: project.id, name: 'apps', quota: expect.objectContaining(expected) },
    ]);

    const live = await events.next();
    expect(live).toMatchObject({ sampledAt: now.sampledAt, stale: false, quota: expected });

    const series = await json(await usage('?range=1h&step=30s'));
    expect(series).toMatchObject({ range: '1h', step: 30 });
    const pods = series.series.find((s: { resource: string }) => s.resource === 'pods');
    expect(pods.hard).toBe('100');
    expect(pods.points.at(-1)[1]).toBe('2');
    const perProject = await json(await usage(`?range=24h&projectId=${project.id}`));
    expect(perProject.step).toBe(300);
    expect(
      perProject.series.find((s: { resource: string }) => s.resource === 'requests.cpu').points.at(-1)[1],
    ).toBe('500m');

    // The vCluster goes away behind Hexabase's back (its StatefulSet scaled to zero): stale, never zero.
    // As an operator would, with the admin certificate: the sampler's account may only read HelmReleases.
    const admin = p.admin();
    await admin.patch(
      { kind: 'HelmRelease', name: 'vcluster', namespace: `hxb-${workspaceId}` },
      { spec: { values: { controlPlane: { statefulSet: { highAvailability: { replicas: 0 } } } } } },
    );
    await waitFor(
      'the vCluster API server to stop answering',
      async () =>
        (await p.kubectlWith(kc, 'get', 'ns', '--request-timeout=2s')).code !== 0 ? true : undefined,
      { timeoutMs: 60_000, intervalMs: 300 },
    );
    const failed = await waitFor(
      'a sample to be attempted',
      async () => {
        const outcome = await sampleWorkspace(sampler(), workspaceId);
        return outcome === 'busy' ? undefined : outcome;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(failed).toBe('failed');
    const stale = await json(await usage());
    expect(stale).toMatchObject({
      stale: true,
      staleReason: 'The vCluster did not answer.',
      sampledAt: now.sampledAt,
      quota: expected,
    });
    expect(await events.next()).toMatchObject({ stale: true, staleReason: 'The vCluster did not answer.' });
    await events.close();
  });

  it('returns 404 to a user of another organization and 400 for a step finer than 30 s', async () => {
    const team = await teamOrganization(p.platform());
    const other = await teamOrganization(p.platform());
    const { workspaceId } = await json(
      await p.api(team.admin.token, `/api/v1/organizations/${team.orgId}/workspaces`, {
        method: 'POST',
        body: JSON.stringify({ name: `usage-${Date.now()}`, planId: 'standard' }),
      }),
    );
    const outsider = await p.api(other.admin.token, `/api/v1/workspaces/${workspaceId}/usage`);
    expect(outsider.status).toBe(404);
    const fine = await p.api(team.admin.token, `/api/v1/workspaces/${workspaceId}/usage?range=1h&step=5s`);
    expect(fine.status).toBe(400);
    expect(fine.headers.get('content-type')).toContain('application/problem+json');
    expect(await json(fine)).toMatchObject({ code: 'INVALID_STEP' });
    const badRange = await p.api(team.admin.token, `/api/v1/workspaces/${workspaceId}/usage?range=2h`);
    expect(await json(badRange)).toMatchObject({ code: 'VALIDATION_FAILED' });
    const foreignProject = await p.api(
      team.admin.token,
      `/api/v1/workspaces/${workspaceId}/usage?range=1h&projectId=prj-abcdefghijklmnopqrst`,
    );
    expect(foreignProject.status).toBe(404);
  });
});
