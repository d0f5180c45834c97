import { randomUUID } from 'node:crypto';
import { CloudEvent, HTTP } from 'cloudevents';
import { and, eq, isNull } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { outbox, usageSampling, workspaces } from '../../shared/db/schema';
import { EVENTS } from '../../shared/events/catalog';
import { nodePool } from '../../shared/k8s/nodes';
import { teamOrganization } from '../../shared/testing/fixtures';
import { usePlatform } from '../../shared/testing/platform';
import { createWorkspace } from '../../shared/workspaces/workspaces';
import { createUsageSamplerApp } from './app';
import { fromPlatform } from './deps';

describe('the usage sampler worker', () => {
  const platform = usePlatform();
  const app = () => createUsageSamplerApp(fromPlatform(platform()), { log: platform().log });
  const deliver = (type: string, data: unknown) => {
    const msg = HTTP.binary(
      new CloudEvent({ id: randomUUID(), type, source: '/hexabase/scheduler', subject: 'usage', data }),
    );
    return app().request('/events', {
      method: 'POST',
      headers: msg.headers as Record<string, string>,
      body: msg.body as string,
    });
  };
  const workspaceIn = async (status: string, deleting = false) => {
    const team = await teamOrganization(platform());
    const { workspaceId } = await createWorkspace(
      { db: platform().db, nodes: nodePool(undefined) },
      { userId: team.admin.userId },
      { orgId: team.orgId, name: `s-${randomUUID().slice(0, 8)}`, planId: 'free' },
    );
    await platform()
      .db.update(workspaces)
      .set({ status: status as never, ...(deleting ? { deletionRequestedAt: new Date() } : {}) })
      .where(eq(workspaces.id, workspaceId));
    return workspaceId;
  };
  const requested = async () =>
    (
      await platform()
        .db.select({ subject: outbox.subject })
        .from(outbox)
        .where(and(eq(outbox.type, EVENTS.usageSampleRequested.type), isNull(outbox.sentAt)))
    ).map((r) => r.subject);

  it('fans the usage tick out to every serving workspace, and to no other', async () => {
    const running = await workspaceIn('RUNNING');
    const updating = await workspaceIn('UPDATING');
    const others = [
      await workspaceIn('PROVISIONING'),
      await workspaceIn('SUSPENDED'),
      await workspaceIn('ERROR'),
      await workspaceIn('RUNNING', true),
    ];
    const res = await deliver(EVENTS.usageTick.type, { at: new Date().toISOString() });
    expect(res.status).toBe(200);
    const subjects = await requested();
    expect(subjects).toEqual(expect.arrayContaining([running, updating]));
    for (const id of others) expect(subjects).not.toContain(id);
  });

  it('answers a request for a workspace that is not serving without sampling or leasing it', async () => {
    const id = await workspaceIn('SUSPENDED');
    const res = await deliver(EVENTS.usageSampleRequested.type, { workspaceId: id });
    expect(res.status).toBe(200);
    const [state] = await platform().db.select().from(usageSampling).where(eq(usageSampling.workspaceId, id));
    expect(state).toBeUndefined();
  });

  it('refuses a request without a workspace id, so the dispatcher dead-letters it', async () => {
    const leases = async () => (await platform().db.select().from(usageSampling)).length;
    const before = await leases();
    const res = await deliver(EVENTS.usageSampleRequested.type, { workspace: 'ws-x' });
    expect(res.status).toBe(400);
    expect(await leases()).toBe(before);
  });
});
