import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1');

const urlWithProtocols = (protocols: string[], label: string) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a ${label} URL (${protocols.map((p) => `${p}//`).join(' or ')})` },
  );

/**
 * Every setting Hexabase reads. This is the only place that knows variable names;
 * the README's configuration table is checked against it by a test.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HEXABASE_PUBLIC_URL: urlWithProtocols(['http:', 'https:'], 'http(s)').default('http://localhost:8080'),
  HEXABASE_DATA_DIR: z.string().min(1).default('.hexabase'),
  HEXABASE_MIGRATE_ON_START: bool.default(false),
  HEXABASE_MIGRATIONS_DIR: z.string().min(1).optional(),
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:'], 'PostgreSQL').optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:'], 'Redis').optional(),
  NATS_URL: urlWithProtocols(['nats:', 'tls:', 'ws:', 'wss:'], 'NATS').optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
});

export type Env = z.infer<typeof envSchema>;
