import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from './index';

describe('parseEnv', () => {
  it('fills embedded defaults when nothing is set', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ PORT: 8080, NODE_ENV: 'development', HEXABASE_DATA_DIR: '.hexabase' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('treats empty strings as unset', () => {
    expect(parseEnv({ DATABASE_URL: '', PORT: '' }).DATABASE_URL).toBeUndefined();
  });

  it('names the variable that is wrong', () => {
    try {
      parseEnv({ DATABASE_URL: 'nonsense', PORT: 'eighty' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(EnvError);
      const e = err as EnvError;
      expect(e.issues.map((i) => i.variable).sort()).toEqual(['DATABASE_URL', 'PORT']);
      expect(e.message).toContain('DATABASE_URL: expected a PostgreSQL URL');
    }
  });

  it('rejects URLs of the wrong protocol', () => {
    expect(() => parseEnv({ DATABASE_URL: 'mysql://x/y' })).toThrow(/DATABASE_URL/);
    expect(() => parseEnv({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
    expect(() => parseEnv({ NATS_URL: 'x' })).toThrow(/NATS_URL/);
  });

  it('parses booleans strictly', () => {
    expect(parseEnv({ HEXABASE_MIGRATE_ON_START: 'true' }).HEXABASE_MIGRATE_ON_START).toBe(true);
    expect(() => parseEnv({ HEXABASE_MIGRATE_ON_START: 'yes please' })).toThrow(/HEXABASE_MIGRATE_ON_START/);
  });
});
