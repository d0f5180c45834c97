import { CloudEvent } from 'cloudevents';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { workspaces } from '../../shared/db/schema';
import { EVENTS } from '../../shared/events/catalog';
import { json } from '../../shared/testing/http';
import { convergeWorkspace, hostProvisionerDeps } from '../../shared/testing/provisioning';
import { stripeEvent } from '../../shared/testing/stripe';
import { payingOrganization, useBilling } from '../billing-testing';

const DAY = 86_400_000;

describe('non-payment on the real host cluster: billing suspends, the provisioner scales the vCluster to zero', () => {
  const b = useBilling();
  const deps = () => hostProvisionerDeps(b.platform());

  const converge = (wsId: string) => convergeWorkspace(deps(), wsId);
  const replicas = async (wsId: string) => {
    type Values = { controlPlane?: { statefulSet?: { highAvailability?: { replicas?: number } } } };
    const hr = await deps().host!.get<{ spec: { values: Values } }>({
      kind: 'HelmRelease',
      name: 'vcluster',
      namespace: `hxb-${wsId}`,
    });
    return hr?.spec.values.controlPlane?.statefulSet?.highAvailability?.replicas;
  };
  const status = async (wsId: string) =>
    (await b.platform().db.select().from(workspaces).where(eq(workspaces.id, wsId)))[0]!.status;

  it('payment fails → past due → grace period over → SUSPENDED, replicas 0 → paid → RUNNING', async () => {
    const o = await payingOrganization(b);
    expect(await converge(o.wsId)).toBe('running');
    const invoice = `in_${o.orgId}`;
    b.world().set(invoice, {
      customer: o.customer,
      parent: { type: 'subscription_details', subscription_details: { subscription: o.subscription } },
    });
    b.world().set(o.subscription, { status: 'past_due', customer: o.customer });
    await b.webhook(
      stripeEvent('invoice.payment_failed', { id: invoice, object: 'invoice', customer: o.customer }),
    );
    await b.drain();

    b.clock.now = new Date(b.clock.now.getTime() + 7 * DAY);
    const tick = new CloudEvent({ type: EVENTS.reconcileTick.type, source: '/hexabase/scheduler', data: {} });
    expect((await b.deliver(tick)).kind).toBe('ack');
    expect(await status(o.wsId)).toBe('SUSPENDED');
    expect(await converge(o.wsId)).toBe('suspended');
    expect(await replicas(o.wsId)).toBe(0);
    expect(await status(o.wsId)).toBe('SUSPENDED');
    const kubeconfig = await b.api(`/api/v1/organizations/${o.orgId}/workspaces/${o.wsId}/kubeconfig`, {
      token: o.admin.token,
    });
    expect(kubeconfig.status).toBe(409);
    expect((await json(kubeconfig)).detail).toContain('suspended for non-payment');

    b.world().set(o.subscription, { status: 'active' });
    await b.webhook(stripeEvent('invoice.paid', { id: invoice, object: 'invoice', customer: o.customer }));
    await b.drain();
    expect(await converge(o.wsId)).toBe('running');
    expect(await status(o.wsId)).toBe('RUNNING');
    expect(await replicas(o.wsId)).toBeUndefined();
  }, 240_000);
});
