import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Broker } from '@kubernetes-models/knative/eventing.knative.dev/v1/Broker';
import { Trigger } from '@kubernetes-models/knative/eventing.knative.dev/v1/Trigger';
import { PingSource } from '@kubernetes-models/knative/sources.knative.dev/v1/PingSource';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DEFAULTS, renderEventing, renderFunctions } from '../../scripts/gen-manifests';
import { DEFAULT_DELIVERY, triggerTable } from '../events/triggers';
import { routeTable } from '../routes/table';
import { broker, brokerUrl, channelConfig, reconcileTick, triggers } from './eventing';

describe('Knative Eventing manifests', () => {
  it('validate against the Knative and Kubernetes models', () => {
    expect(() => new Broker(broker(DEFAULTS) as never).validate()).not.toThrow();
    expect(() => new PingSource(reconcileTick(DEFAULTS) as never).validate()).not.toThrow();
    for (const cm of channelConfig('nats://n:4222'))
      expect(() => new ConfigMap(cm as never).validate()).not.toThrow();
    for (const t of triggers(triggerTable, DEFAULTS))
      expect(() => new Trigger(t as never).validate()).not.toThrow();
    expect(() => new Trigger({ metadata: { name: 'x' }, spec: { broker: 5 } } as never).validate()).toThrow();
  });

  it('give every (worker, event type) a Trigger with the local retry policy and the dead-letter sink', () => {
    const all = triggers(triggerTable, DEFAULTS);
    for (const spec of triggerTable) {
      for (const type of spec.types) {
        const t = all.find(
          (x) =>
            x.spec.filter.attributes.type === type &&
            x.spec.subscriber.ref.name === `hexabase-${spec.function}`,
        );
        expect(t, `${spec.name} ${type}`).toBeDefined();
        expect(t!.spec.delivery).toMatchObject({
          retry: DEFAULT_DELIVERY.maxAttempts - 1,
          backoffPolicy: 'exponential',
        });
        expect(t!.spec.delivery.deadLetterSink.ref.name).toBe('hexabase-dead-letters');
      }
    }
    const services = routeTable.map((r) => `hexabase-${r.name}`);
    for (const t of all) expect(services).toContain(t.spec.subscriber.ref.name);
    expect(services).toContain('hexabase-dead-letters');
  });

  it('point the relay at the broker', () => {
    const relay = parseAllDocuments(renderFunctions())
      .map((d) => d.toJS())
      .find((d) => d.metadata?.name === 'hexabase-relay');
    expect(relay.spec.template.spec.containers[0].env).toContainEqual({
      name: 'K_SINK',
      value: brokerUrl(DEFAULTS),
    });
  });

  it('are committed in their generated form (run `npm run manifests`)', () => {
    const committed = readFileSync(join(import.meta.dirname, '../../knative/eventing.yaml'), 'utf8');
    expect(committed).toBe(renderEventing());
  });
});
