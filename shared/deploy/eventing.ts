import { EVENTS } from '../events/catalog';
import { DEFAULT_DELIVERY, type TriggerSpec } from '../events/triggers';
import type { DeployOptions } from './knative';

/**
 * Knative Eventing for the functions: an MT channel-based Broker on NatsJetStreamChannel (eventing-natss; its
 * NatsJetStreamBroker class only ships from 1.22), a Trigger per (worker, event type) with the same retry policy
 * as the local dispatcher and the dead-letter sink, and a PingSource for the reconcile tick. The relay forwards
 * HEXABASE_EVENTS to the broker (K_SINK), since eventing-natss has no source that reads an existing stream.
 */
export const BROKER = 'hexabase';
const LABELS = { 'app.kubernetes.io/part-of': 'hexabase', 'app.kubernetes.io/managed-by': 'hexabase' };

export const brokerUrl = (opts: DeployOptions) =>
  `http://broker-ingress.knative-eventing.svc.cluster.local/${opts.namespace}/${BROKER}`;

const seconds = (ms: number) => `PT${ms / 1000}S`;
const ksvc = (fn: string) => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  name: `hexabase-${fn}`,
});

export function channelConfig(natsUrl: string) {
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'config-br-default-channel', namespace: 'knative-eventing', labels: LABELS },
      data: {
        channelTemplateSpec: [
          'apiVersion: messaging.knative.dev/v1alpha1',
          'kind: NatsJetStreamChannel',
          'spec:',
          '  stream:',
          '    config: {retention: Limits, maxBytes: 1000000000, replicas: 1}',
          '',
        ].join('\n'),
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'config-nats', namespace: 'knative-eventing', labels: LABELS },
      data: {
        'eventing-nats': `url: ${natsUrl}\nconnOpts: {retryOnFailedConnect: true, maxReconnects: -1, reconnectWaitMilliseconds: 2000}\n`,
      },
    },
  ];
}

export function broker(opts: DeployOptions) {
  return {
    apiVersion: 'eventing.knative.dev/v1',
    kind: 'Broker',
    metadata: {
      name: BROKER,
      namespace: opts.namespace,
      labels: LABELS,
      annotations: { 'eventing.knative.dev/broker.class': 'MTChannelBasedBroker' },
    },
    spec: {
      config: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: 'config-br-default-channel',
        namespace: 'knative-eventing',
      },
    },
  };
}

export function triggers(table: TriggerSpec[], opts: DeployOptions) {
  return table.flatMap((t) =>
    t.types.map((type) => ({
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Trigger',
      metadata: {
        name: `${t.name}-${type.split('.').slice(2).join('-')}`.slice(0, 63),
        namespace: opts.namespace,
        labels: LABELS,
      },
      spec: {
        broker: BROKER,
        filter: { attributes: { type } },
        subscriber: { ref: ksvc(t.function), uri: t.path },
        delivery: {
          retry: DEFAULT_DELIVERY.maxAttempts - 1,
          backoffPolicy: 'exponential',
          backoffDelay: seconds(DEFAULT_DELIVERY.backoffMs),
          timeout: seconds(DEFAULT_DELIVERY.timeoutMs),
          deadLetterSink: { ref: ksvc('dead-letters'), uri: '/events' },
        },
      },
    })),
  );
}

/** PingSource events are typed dev.knative.sources.ping (fixed by Knative); reconcile workers accept that type too. */
export function reconcileTick(opts: DeployOptions) {
  return {
    apiVersion: 'sources.knative.dev/v1',
    kind: 'PingSource',
    metadata: { name: 'hexabase-reconcile-tick', namespace: opts.namespace, labels: LABELS },
    spec: {
      schedule: '* * * * *',
      contentType: 'application/json',
      data: JSON.stringify({ kind: EVENTS.reconcileTick.type }),
      sink: { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: BROKER } },
    },
  };
}
