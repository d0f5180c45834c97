/**
 * Where tests find the real services. They are fixed by the test machines' contract (DEVELOPERS.md):
 * scripts/ensure-services.sh starts or installs them before vitest runs.
 */
export const TEST_SERVICES = {
  postgresAdminUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
  postgresUrl: (database: string) => `postgres://postgres@127.0.0.1:5432/${database}`,
  redisUrl: 'redis://127.0.0.1:6379',
  natsUrl: 'nats://127.0.0.1:4222',
} as const;

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
    runId: string;
  }
}
