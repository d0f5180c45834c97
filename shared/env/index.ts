import { type Env, envSchema } from './schema';

export { type Env, envSchema } from './schema';

export class EnvError extends Error {
  readonly code = 'INVALID_ENVIRONMENT';
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`invalid configuration: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`);
  }
}

/** Parses settings from a plain record; empty strings count as unset, like most twelve-factor tools do. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new EnvError(
      result.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })),
    );
  }
  return result.data;
}

/**
 * The process entry points call this once. A bad setting ends the process with one line naming it:
 * operators read this in `kubectl logs`, where a stack trace only hides the cause.
 */
export function loadEnvOrExit(source: Record<string, string | undefined> = process.env): Env {
  try {
    return parseEnv(source);
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(`hexabase: ${err.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
