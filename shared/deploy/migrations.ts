import { type DeployOptions, LABELS, RESTRICTED_CONTAINER } from './knative';

/**
 * The migrations Job: the same image runs `dist/migrate/index.mjs` (scripts/migrate.ts) against DATABASE_URL and
 * exits; the functions stay unready until the schema they were built with is there. Retried a few times (the
 * database may still be starting), then it fails the install or upgrade with its log.
 */
export function migrationsJob(opts: DeployOptions) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: 'hexabase-migrate',
      namespace: opts.namespace,
      labels: { ...LABELS, 'app.kubernetes.io/component': 'migrate' },
    },
    spec: {
      backoffLimit: 6,
      activeDeadlineSeconds: 900,
      template: {
        metadata: { labels: { ...LABELS, 'app.kubernetes.io/component': 'migrate' } },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'migrate',
              image: opts.image,
              command: ['node', '/app/dist/migrate/index.mjs'],
              envFrom: [{ secretRef: { name: opts.envSecret } }],
              env: [] as object[],
              resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '256Mi' } },
              securityContext: RESTRICTED_CONTAINER,
            },
          ],
        },
      },
    },
  };
}
