import * as z from 'zod';
import { envObject } from '../env/schema';
import { routeTable } from '../routes/table';

/**
 * The platform chart's values, as a zod schema: `npm run manifests` writes it to values.schema.json, so Helm
 * refuses a typo (every object is closed), a wrong type or an unknown setting before anything is applied. The
 * `config` and `secrets` maps take only the variable names shared/env/schema.ts reads.
 */
const envName = z.enum(Object.keys(envObject.shape) as [string, ...string[]]);
const fnName = z.enum(routeTable.map((r) => r.name) as [string, ...string[]]);
const quantity = z.union([z.string().regex(/^[0-9.]+[a-zA-Z]*$/), z.number()]);
const resources = z
  .object({
    requests: z.partialRecord(z.enum(['cpu', 'memory', 'ephemeral-storage']), quantity).optional(),
    limits: z.partialRecord(z.enum(['cpu', 'memory', 'ephemeral-storage']), quantity).optional(),
  })
  .strict();
const namespaces = z.array(
  z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
    .max(63),
);
const bundled = (what: string) =>
  z
    .object({
      bundled: z.boolean().describe(`Use the umbrella chart's ${what}; false: the URL comes from the Secret`),
    })
    .catchall(z.unknown());

export const chartValues = z
  .object({
    // Helm hands every subchart the umbrella's `global` section.
    global: z.record(z.string(), z.unknown()).optional(),
    image: z
      .object({
        repository: z.string().min(1),
        tag: z.string().describe("Defaults to the chart's appVersion"),
        digest: z.string().regex(/^(sha256:[a-f0-9]{64})?$/),
        pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']),
      })
      .strict(),
    imagePullSecrets: z.array(z.object({ name: z.string().min(1) }).strict()),
    publicHost: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/),
    knative: z.object({ enabled: z.boolean(), natsChannel: z.boolean() }).strict(),
    ingress: z
      .object({
        enabled: z.boolean(),
        controller: z.enum(['traefik', 'nginx']),
        className: z.string(),
        tlsSecret: z.string().min(1),
      })
      .strict(),
    existingSecret: z.string(),
    secrets: z.partialRecord(envName, z.string()),
    config: z.partialRecord(envName, z.string()),
    postgresql: bundled('PostgreSQL'),
    redis: bundled('Redis'),
    nats: bundled('NATS (JetStream)'),
    migrations: z
      .object({ enabled: z.boolean(), hook: z.enum(['auto', 'pre-install', 'post-install']) })
      .strict(),
    resources,
    functions: z.partialRecord(
      fnName,
      z
        .object({
          minScale: z.number().int().min(0).optional(),
          maxScale: z.number().int().min(1).optional(),
          resources: resources.optional(),
        })
        .strict(),
    ),
    autoscaling: z
      .object({ enabled: z.boolean(), targetCPUUtilizationPercentage: z.number().int().min(1).max(100) })
      .strict(),
    podDisruptionBudget: z.object({ enabled: z.boolean() }).strict(),
    rbac: z.object({ create: z.boolean() }).strict(),
    flux: z.object({ vclusterRepository: z.boolean() }).strict(),
    networkPolicy: z
      .object({ enabled: z.boolean(), ingressNamespaces: namespaces, monitoringNamespaces: namespaces })
      .strict(),
    monitoring: z
      .object({
        serviceMonitor: z.boolean(),
        prometheusRule: z.boolean(),
        dashboards: z.boolean(),
        runbookUrl: z.string().url(),
      })
      .strict(),
    kyverno: z
      .object({ enabled: z.boolean(), allowedRegistries: z.array(z.string().min(1)).min(1) })
      .strict(),
    falco: z
      .object({
        enabled: z.boolean(),
        namespace: z
          .string()
          .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
          .max(63),
      })
      .strict(),
    tekton: z
      .object({
        enabled: z.boolean(),
        namespace: z
          .string()
          .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/)
          .max(63),
        gitUrl: z.string().min(1),
        imageRepository: z.string().min(1),
      })
      .strict(),
  })
  .strict();

export type ChartValues = z.input<typeof chartValues>;

export function valuesJsonSchema() {
  return z.toJSONSchema(chartValues, { target: 'draft-7', io: 'input' });
}
