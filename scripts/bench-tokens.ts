import { sql } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { createOidcApp } from '../functions/oidc/app';
import { createAuth } from '../shared/auth';
import { createPat } from '../shared/auth/pats';
import { createRedisCache } from '../shared/cache';
import { parseEnv } from '../shared/env';
import { createLogger } from '../shared/log';
import { flattenGroups } from '../shared/workspaces/flatten';
import { appendReport, benchOrganization, deepGroupWorkspace, withBenchDatabase } from './bench-support';

/**
 * Token exchange (RFC 8693) for a user in a workspace with 10,000 groups of depth 20, next to its floor measured in
 * the same run: jose signing the same claims with the same key, and nothing else. The exchange runs with the
 * authorization cache on real Redis (warm: what a kubectl user sees on every call after the first) and with it off.
 */
const log = createLogger({ level: 'silent', name: 'bench' });
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
await withBenchDatabase(async (database, url) => {
  const db = database.db;
  const kek = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
  const envWith = (ttl: string) =>
    parseEnv({
      DATABASE_URL: url,
      HEXABASE_KEY_ENCRYPTION_KEY: kek,
      HEXABASE_PUBLIC_URL: 'https://hexabase.example.com',
      HEXABASE_AUTHZ_CACHE_TTL_SECONDS: ttl,
    });
  const redis = createRedisCache(REDIS_URL, { keyPrefix: `bench:${Date.now()}:` });
  const cached = createAuth({ env: envWith('60'), db, cache: redis });
  const uncached = createAuth({ env: envWith('0'), db, cache: redis });
  const { userId, orgId } = await benchOrganization(db);
  const wsId = await deepGroupWorkspace(db, orgId, userId);
  await db.execute(sql`analyze`);
  const pat = await createPat(cached.auth, { userId }, { name: 'bench' });
  const body = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    subject_token: pat.token,
  }).toString();
  const exchanger = (auth: typeof cached) => {
    const app = createOidcApp({ auth, ttlSeconds: 3600 }, { log });
    return async () => {
      const res = await app.request(`/oidc/${wsId}/token`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      await res.arrayBuffer();
    };
  };
  // The floor: the same claims (100 group names) signed by jose with the same key, nothing else.
  const groups = await flattenGroups(db, wsId, userId);
  const { kid, key } = await cached.auth.keys.signingKey();
  const sign = async () => {
    await new SignJWT({ groups, email: 'bench@example.com', email_verified: true, name: 'Bench' })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(`https://hexabase.example.com/oidc/${wsId}`)
      .setSubject(userId)
      .setAudience(wsId)
      .setIssuedAt()
      .setExpirationTime('1h')
      .setJti(crypto.randomUUID())
      .sign(key);
  };
  const series = async (run: () => Promise<void>, n: number) => {
    for (let i = 0; i < 50; i++) await run();
    const lat: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await run();
      lat.push(performance.now() - t);
    }
    return lat.sort((a, b) => a - b);
  };
  const q = (lat: number[], p: number) => lat[Math.floor(p * (lat.length - 1))]!;
  const throughput = async (run: () => Promise<void>, n: number) => {
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next++ < n) await run();
      }),
    );
    return n / ((performance.now() - t0) / 1000);
  };
  const warm = exchanger(cached);
  const cold = exchanger(uncached);
  const floor = await series(sign, 1000);
  const hit = await series(warm, 1000);
  const miss = await series(cold, 500);
  const N = 2000;
  const floorRate = await throughput(sign, N);
  const hitRate = await throughput(warm, N);
  const missRate = await throughput(cold, N);
  await redis.close();
  const row = (name: string, lat: number[], rate: number) =>
    `| ${name} | ${lat.length} | ${q(lat, 0.5).toFixed(2)} ms | ${q(lat, 0.95).toFixed(2)} ms | ${q(lat, 0.99).toFixed(2)} ms | ${(q(lat, 0.99) / q(floor, 0.99)).toFixed(2)}× | ${rate.toFixed(0)}/s | ${(rate / floorRate).toFixed(2)}× |`;
  const lines = [
    '',
    '## Token exchange (RFC 8693): workspace ID tokens with 10,000 groups of depth 20',
    '',
    `Run by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (\`scripts/bench-tokens.ts\`): a personal access token exchanged for an ID token through the oidc function in process (PAT check, issuer and membership in one query, the user's 100 flattened group names, RS256 signing), PostgreSQL and Redis on 127.0.0.1. The floor is jose signing the same claims with the same key in the same run. Latency one call at a time; throughput with 8 concurrent callers (${N} calls). Target: p99 ≤ 5 ms.`,
    '',
    '| case | calls | p50 | p95 | p99 | p99 / floor | throughput | throughput / floor |',
    '|---|---|---|---|---|---|---|---|',
    row('floor: jose RS256 signing only', floor, floorRate),
    row('exchange, authorization cache warm (Redis)', hit, hitRate),
    row('exchange, cache off (HEXABASE_AUTHZ_CACHE_TTL_SECONDS=0)', miss, missRate),
    '',
  ];
  appendReport(lines);
});
