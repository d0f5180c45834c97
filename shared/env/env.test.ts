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

  it('serves metrics on their own port, 9464 unless told otherwise, never on a public one', () => {
    expect(parseEnv({}).METRICS_PORT).toBe(9464);
    expect(parseEnv({ METRICS_PORT: '0', PORT: '0' }).METRICS_PORT).toBe(0);
    expect(() => parseEnv({ METRICS_PORT: '8080' })).toThrow(/METRICS_PORT: must differ from PORT/);
    expect(() => parseEnv({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
    // The HTTPS port only counts when there is an HTTPS listener.
    expect(parseEnv({ METRICS_PORT: '8443' }).METRICS_PORT).toBe(8443);
    expect(() =>
      parseEnv({ METRICS_PORT: '8443', HEXABASE_TLS_CERT_FILE: 'c', HEXABASE_TLS_KEY_FILE: 'k' }),
    ).toThrow(/METRICS_PORT/);
  });

  it('rejects URLs of the wrong protocol', () => {
    expect(() => parseEnv({ DATABASE_URL: 'mysql://x/y' })).toThrow(/DATABASE_URL/);
    expect(() => parseEnv({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
    expect(() => parseEnv({ NATS_URL: 'x' })).toThrow(/NATS_URL/);
  });

  it('rotates signing keys every 30 days unless told otherwise; 0 turns the schedule off, fractions are refused', () => {
    expect(parseEnv({}).HEXABASE_SIGNING_KEY_ROTATION_DAYS).toBe(30);
    expect(parseEnv({ HEXABASE_SIGNING_KEY_ROTATION_DAYS: '0' }).HEXABASE_SIGNING_KEY_ROTATION_DAYS).toBe(0);
    for (const bad of ['-1', '1.5', '366', 'monthly'])
      expect(() => parseEnv({ HEXABASE_SIGNING_KEY_ROTATION_DAYS: bad })).toThrow(
        /HEXABASE_SIGNING_KEY_ROTATION_DAYS/,
      );
  });

  it('parses booleans strictly', () => {
    expect(parseEnv({ HEXABASE_MIGRATE_ON_START: 'true' }).HEXABASE_MIGRATE_ON_START).toBe(true);
    expect(() => parseEnv({ HEXABASE_MIGRATE_ON_START: 'yes please' })).toThrow(/HEXABASE_MIGRATE_ON_START/);
  });

  it('refuses dev login in production, and production without a key-encryption key', () => {
    expect(() =>
      parseEnv({
        NODE_ENV: 'production',
        HEXABASE_DEV_LOGIN: 'true',
        HEXABASE_KEY_ENCRYPTION_KEY: 'A'.repeat(44),
      }),
    ).toThrow(/HEXABASE_DEV_LOGIN: must not be true when NODE_ENV=production/);
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(/HEXABASE_KEY_ENCRYPTION_KEY: is required/);
    expect(() => parseEnv({ HEXABASE_KEY_ENCRYPTION_KEY: 'c2hvcnQ=' })).toThrow(/32 bytes/);
  });

  it('validates the identity provider list', () => {
    expect(() => parseEnv({ HEXABASE_AUTH_PROVIDERS: 'not json' })).toThrow(
      /HEXABASE_AUTH_PROVIDERS: expected JSON/,
    );
    expect(() => parseEnv({ HEXABASE_AUTH_PROVIDERS: '[{"type":"saml"}]' })).toThrow(
      /HEXABASE_AUTH_PROVIDERS/,
    );
    const env = parseEnv({
      HEXABASE_AUTH_PROVIDERS: '[{"type":"google","clientId":"a","clientSecret":"b"}]',
    });
    expect(env.HEXABASE_AUTH_PROVIDERS[0]).toMatchObject({
      id: 'google',
      issuer: 'https://accounts.google.com',
    });
  });
});
