/** What the cold start work found (not measured by a run of bench-coldstart.ts; redo and update when it changes). */
export const FINDINGS: string[] = [
  'Before and after (2026-11-30, same machine, 15 runs each, back to back while other sessions loaded it; absolute times moved by 2× between runs, the paired ratio much less):',
  '',
  '| bundles | floor | plans | ratio (medians / paired) | organizations | ratio (medians / paired) |',
  '|---|---|---|---|---|---|',
  '| e43c1c9 (one 1.27–1.55 MB file each), run 1 | 63 ms | 374 ms | 5.93× / 5.74× | 390 ms | 6.18× / 5.78× |',
  '| e43c1c9, run 2 | 134 ms | 738 ms | 5.51× / 5.12× | 659 ms | 4.92× / 5.46× |',
  '| now, run 1 | 80 ms | 383 ms | 4.77× / 4.45× | 444 ms | 5.54× / 5.45× |',
  '| now, run 2 | 96 ms | 378 ms | 3.95× / 3.94× | 444 ms | 4.65× / 4.77× |',
  '',
  '- What changed: zod is imported as a namespace (~450 → ~110 KB per bundle; see decisions.md); Redis (ioredis), nodemailer, openid-client and `node:https` load on first use from lazy chunks; only the relay (and `npm start`) carries and connects NATS; the OpenAPI generator is only in `docs`; stubs replace modules of features Hexabase does not use (OpenTelemetry exemplars and the Pushgateway in prom-client, pino transports with their worker thread, HTTP/2 in @hono/node-server), so a start no longer loads `node:https`, `tls`, `http2`, `zlib` or `worker_threads`. What loads at start fell by 55–60% (plans 1,273 → 531 KB).',
  '- The cold start improved far less than the size: about 5.5–6× → 4–5× the floor. Where a start goes now (V8 CPU profile of a plans start, `BENCH_COLDSTART_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=…"`; the profiler slows it about 2×): Node compiling undici for the fetch globals (`Request`/`Response`, which Hono\'s Node adapter extends when it loads) ~13%, compiling the bundle ~12%, evaluating pg, prom-client and pino ~10%, building the Drizzle tables and the zod route schemas ~12%, env parsing, the logger and the first PostgreSQL connection ~7%; the rest is GC, builtins and waiting on the database. The bare floor pays none of these.',
  '- Not met: ≤ 1.3× leaves 25–30 ms over a 90 ms floor, less than undici alone (`node -e "globalThis.Response"`: ~25 ms here). Reaching it needs a startup snapshot of the evaluated bundle (Node 20 `--build-snapshot` / `--snapshot-blob`), which would skip compiling and evaluating it. Not tried in this round: Node 20 snapshots take one CommonJS script without open handles, so it needs a CommonJS build of each function (today ESM with top-level await, `import.meta.url` locating migrations/, lazy chunks) and a check of which builtins (undici among them) survive the snapshot.',
  '- Not measured here: under Knative the queue-proxy polls `/readyz` before routing the first request; where `REDIS_URL` is set that check pings Redis, which loads the Redis client chunk (~150 KB) before the first request arrives.',
];
