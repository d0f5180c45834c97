import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { workspaces } from '../db/schema';
import type { Node } from '../k8s/nodes';
import { teamOrganization } from '../testing/fixtures';
import { json } from '../testing/http';
import { useProvisioning } from '../testing/provisioning';
import { reconcileAll } from './tick';

describe('dedicated nodes on the real host cluster', () => {
  // The API claims nodes as hexabase-workspaces and the reconciler releases them as hexabase-provisioner (their
  // tokens); the test makes its pools and reads them as the host's admin.
  const p = useProvisioning();
  const host = () => p.admin();

  const created: string[] = [];
  afterAll(async () => {
    for (const name of created) await host().delete({ kind: 'Node', name });
  });

  /** A pool of its own per test (its own label), since nodes are cluster-wide and tests share the host cluster. */
  const pool = async (size: number) => {
    const tag = randomBytes(4).toString('hex');
    const names = Array.from({ length: size }, (_, i) => `pool-${tag}-${i}`);
    created.push(...names);
    for (const name of names)
      await host().apply({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          labels: { 'hexabase.ai/node-pool': 'dedicated', 'test.hexabase.ai/pool': tag },
        } as never,
      });
    return { tag, names, labels: { 'test.hexabase.ai/pool': tag } };
  };
  const node = async (name: string) => (await host().get<Node>({ kind: 'Node', name }))!;
  const claimedBy = async (names: string[], wsId: string) =>
    (await Promise.all(names.map(node))).filter((n) => n.metadata.labels?.['hexabase.ai/workspace'] === wsId);
  const create = async (
    team: { orgId: string; admin: { token: string } },
    labels: Record<string, string>,
    nodeCount: number,
  ) =>
    p.api(team.admin.token, `/api/v1/organizations/${team.orgId}/workspaces`, {
      method: 'POST',
      body: JSON.stringify({
        name: `dedicated-${randomBytes(3).toString('hex')}`,
        planId: 'premium-dedicated',
        dedicatedNodeConfig: { nodeCount, labels },
      }),
    });

  it('claims, labels and taints two of three free nodes and pins the vCluster to them', async () => {
    const { names, labels } = await pool(3);
    const team = await teamOrganization(p.platform());
    const res = await create(team, labels, 2);
    expect(res.status).toBe(202);
    const { workspaceId } = await json(res);
    // Claimed at request time, before the provisioner ran.
    const claimed = await claimedBy(names, workspaceId);
    expect(claimed).toHaveLength(2);
    for (const n of claimed)
      expect(n.spec?.taints).toContainEqual({
        key: 'hexabase.ai/dedicated',
        value: workspaceId,
        effect: 'NoSchedule',
      });

    expect(await p.converge(workspaceId)).toBe('running');
    const hr = await host().get<{ spec: { values: Record<string, Record<string, unknown>> } }>({
      kind: 'HelmRelease',
      name: 'vcluster',
      namespace: `hxb-${workspaceId}`,
    });
    expect(hr!.spec.values.sync).toEqual({
      fromHost: {
        nodes: { enabled: true, selector: { all: false, labels: { 'hexabase.ai/workspace': workspaceId } } },
      },
      toHost: { pods: { enforceTolerations: [`hexabase.ai/dedicated=${workspaceId}:NoSchedule`] } },
    });
    const [row] = await p.platform().db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
    expect(row!.conditions.find((c) => c.type === 'DedicatedNodesReady')).toMatchObject({ status: 'True' });

    // Inside the workspace, kubectl sees exactly its two nodes (vCluster syncs the selected host nodes).
    const kc = await (
      await p.api(
        team.admin.token,
        `/api/v1/organizations/${team.orgId}/workspaces/${workspaceId}/kubeconfig?mode=token`,
      )
    ).text();
    let seen = '';
    for (let i = 0; i < 100 && seen.split(' ').length !== 2; i++) {
      const r = await p.kubectlWith(kc, 'get', 'nodes', '-o', 'jsonpath={.items[*].metadata.name}');
      seen = r.stdout.trim();
      if (seen.split(' ').length !== 2) await new Promise((res) => setTimeout(res, 300));
    }
    expect(seen.split(' ').sort()).toEqual(claimed.map((n) => n.metadata.name).sort());
  });

  it('refuses a workspace the pool cannot serve with 409 NO_DEDICATED_NODES_AVAILABLE and changes nothing', async () => {
    const { names, labels } = await pool(3);
    const team = await teamOrganization(p.platform());
    const first = await create(team, labels, 2);
    expect(first.status).toBe(202);
    const before = await Promise.all(names.map(node));
    const second = await create(team, labels, 2);
    expect(second.status).toBe(409);
    expect(await json(second)).toMatchObject({ code: 'NO_DEDICATED_NODES_AVAILABLE' });
    const rows = await p
      .platform()
      .db.select()
      .from(workspaces)
      .where(eq(workspaces.organizationId, team.orgId));
    expect(rows).toHaveLength(1);
    const after = await Promise.all(names.map(node));
    expect(after.map((n) => [n.metadata.labels, n.spec?.taints ?? []])).toEqual(
      before.map((n) => [n.metadata.labels, n.spec?.taints ?? []]),
    );
  });

  it('gives the last node to exactly one of two concurrent requests', async () => {
    const { names, labels } = await pool(1);
    const team = await teamOrganization(p.platform());
    const answers = await Promise.all([create(team, labels, 1), create(team, labels, 1)]);
    expect(answers.map((r) => r.status).sort()).toEqual([202, 409]);
    const winner = await json(answers.find((r) => r.status === 202)!);
    expect((await node(names[0]!)).metadata.labels?.['hexabase.ai/workspace']).toBe(winner.workspaceId);
    const rows = await p
      .platform()
      .db.select()
      .from(workspaces)
      .where(eq(workspaces.organizationId, team.orgId));
    expect(rows.map((r) => r.id)).toEqual([winner.workspaceId]);
  });

  it('releases the nodes on a downgrade, and on deletion', async () => {
    const { names, labels } = await pool(2);
    const team = await teamOrganization(p.platform());
    const a = (await json(await create(team, labels, 1))).workspaceId as string;
    const b = (await json(await create(team, labels, 1))).workspaceId as string;
    expect(await p.converge(a)).toBe('running');
    expect(await p.converge(b)).toBe('running');

    const down = await p.api(team.admin.token, `/api/v1/organizations/${team.orgId}/workspaces/${a}`, {
      method: 'PUT',
      body: JSON.stringify({ planId: 'standard', dedicatedNodeConfig: null }),
    });
    expect(down.status).toBe(202);
    expect(await p.converge(a)).toBe('running');
    expect(await claimedBy(names, a)).toEqual([]);
    const released = (await Promise.all(names.map(node))).find(
      (n) => !n.metadata.labels?.['hexabase.ai/workspace'],
    )!;
    // Our taint is gone; taints others set (Kubernetes marks new nodes not-ready) are left as they were.
    expect(released.spec?.taints).toEqual([{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]);
    expect(released.metadata.annotations?.['hexabase.ai/claimed-at']).toBeUndefined();

    const del = await p.api(team.admin.token, `/api/v1/organizations/${team.orgId}/workspaces/${b}`, {
      method: 'DELETE',
    });
    expect(del.status).toBe(202);
    expect(await p.converge(b)).toBe('gone');
    expect(await claimedBy(names, b)).toEqual([]);
  });

  it('releases a claim whose workspace never came to be, once the grace period is over', async () => {
    const { names } = await pool(1);
    const ghost = 'ws-ghostghostghostghost';
    const n = await node(names[0]!);
    await host().patch(
      { kind: 'Node', name: names[0]! },
      {
        metadata: {
          resourceVersion: n.metadata.resourceVersion,
          labels: { 'hexabase.ai/workspace': ghost },
          annotations: { 'hexabase.ai/claimed-at': new Date(Date.now() - 3_600_000).toISOString() },
        },
        spec: {
          taints: [
            ...(n.spec?.taints ?? []),
            { key: 'hexabase.ai/dedicated', value: ghost, effect: 'NoSchedule' },
          ],
        },
      },
    );
    await reconcileAll(p.deps());
    expect((await node(names[0]!)).metadata.labels?.['hexabase.ai/workspace']).toBeUndefined();
    expect((await node(names[0]!)).spec?.taints?.map((t) => t.key)).not.toContain('hexabase.ai/dedicated');
  });
});
