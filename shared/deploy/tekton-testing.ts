import * as z from 'zod';
import { type TektonOptions, tektonTasks } from './tekton-tasks';

export const OPTS: TektonOptions = { namespace: 'hexabase-ci', image: 'ghcr.io/hexabase/hexabase' };

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
export const Task = z.strictObject({
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
export const Pipeline = z.strictObject({
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
export type Task = z.infer<typeof Task>;
export type Pipeline = z.infer<typeof Pipeline>;

export const tasksOf = (opts = OPTS) => tektonTasks(opts).map((t) => Task.parse(t));
