import { sql } from 'drizzle-orm';
import { createOidcApp } from '../functions/oidc/app';
import { createAuth } from '../shared/auth';
import { createPat } from '../shared/auth/pats';
import { createMemoryCache } from '../shared/cache';
import { parseEnv } from '../shared/env';
import { createLogger } from '../shared/log';
import { appendReport, benchOrganization, deepGroupWorkspace, withBenchDatabase } from './bench-support';

/** Token exchange (RFC 8693) for a user in a workspace with 10,000 groups of depth 20: throughput and latency. */
const log = createLogger({ level: 'silent', name: 'bench' });
await withBenchDatabase(async (database, url) => {
  const db = database.db;
  const env = parseEnv({
    DATABASE_URL: url,
    HEXABASE_KEY_ENCRYPTION_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
    HEXABASE_PUBLIC_URL: 'https://hexabase.example.com',
  });
  const auth = createAuth({ env, db, cache: createMemoryCache() });
  const { userId, orgId } = await benchOrganization(db);
  const wsId = await deepGroupWorkspace(db, orgId, userId);
  await db.execute(sql`analyze`);
  const pat = await createPat(auth.auth, { userId, name: 'bench' }, {});
  const app = createOidcApp({ auth, ttlSeconds: 3600 }, { log });
  const body = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    subject_token: pat.token,
  }).toString();
  const exchange = async () => {
    const res = await app.request(`/oidc/${wsId}/token`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    await res.arrayBuffer();
  };
  for (let i = 0; i < 50; i++) await exchange();
  const lat: number[] = [];
  for (let i = 0; i < 500; i++) {
    const t = performance.now();
    await exchange();
    lat.push(performance.now() - t);
  }
  lat.sort((a, b) => a - b);
  const N = 2000;
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next++ < N) await exchange();
    }),
  );
  const rate = N / ((performance.now() - t0) / 1000);
  const q = (p: number) => lat[Math.floor(p * (lat.length - 1))]!.toFixed(2);
  const lines = [
    '',
    '## Token exchange (RFC 8693): workspace ID tokens with 10,000 groups of depth 20',
    '',
    'A personal access token exchanged for an ID token (PAT lookup, membership, group flattening — 100 names — and RS256 signing), in process, PostgreSQL on 127.0.0.1.',
    '',
    '| measure | value |',
    '|---|---|',
    `| latency, one at a time (500 calls) | p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, p99 ${q(0.99)} ms |`,
    `| throughput, 8 concurrent callers (${N} calls) | ${rate.toFixed(0)} exchanges/s |`,
    '',
  ];
  appendReport(lines);
});
