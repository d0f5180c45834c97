import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../scripts/local-server';
import { singleFactorExamples } from '../shared/testing/fuzz/examples';
import { fuzzFixture } from '../shared/testing/fuzz/fixture';
import {
  changedTables,
  describe as describeExchange,
  type Exchange,
  FailureLog,
  fingerprinter,
  loggedError,
  violation,
} from '../shared/testing/fuzz/oracle';
import {
  CALLERS,
  type Caller,
  type DocOperation,
  documentedOperations,
  type FuzzRequest,
  render,
  requestArbitrary,
} from '../shared/testing/fuzz/requests';
import type { JsonSchema } from '../shared/testing/fuzz/schema';
import { capturedLogger } from '../shared/testing/logs';
import { usePlatform } from '../shared/testing/platform';
import { openApiDocument } from './registry';

/**
 * Property-based fuzzing of every operation in the OpenAPI document, through the whole local server, as an
 * anonymous caller, a stranger and the owner. `npm test` runs a few fixed-seed cases per operation; `npm run fuzz`
 * many, randomly seeded (FUZZ_SEED, FUZZ_RUNS reproduce a run; FUZZ_COLLECT=1 lists every distinct failure
 * instead of stopping at the first one per operation).
 */
const SEED =
  process.env.FUZZ_SEED && process.env.FUZZ_SEED !== 'random'
    ? Number(process.env.FUZZ_SEED)
    : process.env.FUZZ_SEED === 'random'
      ? Math.floor(Math.random() * 2 ** 31)
      : 20_260_501;
const RUNS = Number(process.env.FUZZ_RUNS ?? 4);
const COLLECT = process.env.FUZZ_COLLECT === '1';
const ANSWER_WITHIN_MS = 15_000;

const doc = openApiDocument('http://localhost');
/** Deletions last, deepest first: a hostile but accepted delete should cost the others as little as possible. */
const operations: DocOperation[] = documentedOperations(doc).sort((a, b) => {
  const rank = (o: DocOperation) => (o.method === 'DELETE' ? 1000 - o.path.split('/').length : 0);
  return rank(a) - rank(b);
});

describe('fuzzing every operation of the OpenAPI document', () => {
  const platform = usePlatform({
    HEXABASE_DEV_LOGIN: 'true',
    HEXABASE_TRUST_PROXY: 'true',
    // A provider so that sign-in and its callback run their state handling; its URLs lead nowhere.
    HEXABASE_AUTH_PROVIDERS: JSON.stringify([
      {
        type: 'github',
        clientId: 'fuzz',
        clientSecret: 'fuzz',
        authorizationUrl: 'http://127.0.0.1:9/authorize',
        tokenUrl: 'http://127.0.0.1:9/token',
        apiUrl: 'http://127.0.0.1:9/api',
      },
    ]),
  });
  const failures = new FailureLog();
  // Warnings too: a 400 the database had to give (a value that passed validation) is a gap, not a rejection.
  const captured = capturedLogger('warn');
  let fx: Awaited<ReturnType<typeof fuzzFixture>>;
  let fetch: (req: Request) => Response | Promise<Response>;
  let fingerprint: Awaited<ReturnType<typeof fingerprinter>>;
  let ip = 0;
  /** How deep the requests got: a run answered only 400 and 404 tested little beyond validation. */
  const statuses = new Map<number, number>();
  /** The fingerprint after the last request is the one before the next: one query per request, not two. */
  let last: Awaited<ReturnType<typeof fingerprint>> | undefined;

  beforeAll(async () => {
    const p = platform();
    fx = await fuzzFixture(p);
    fetch = createLocalServer({ ...p, log: captured.log }).fetch;
    fingerprint = await fingerprinter(p.db);
    console.log(
      `fuzz: seed ${SEED}, ${RUNS} runs per operation × ${CALLERS.length} callers` +
        ` (reproduce: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} npm run fuzz)`,
    );
  });

  afterAll(() => {
    const counts = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
    console.log(`fuzz: ${ip} requests; statuses ${counts.join(' ')}`);
    if (COLLECT && failures.groups.size) console.log(`fuzz: distinct failures\n\n${failures.report()}`);
  });

  async function exchange(op: DocOperation, req: FuzzRequest, caller: Caller, token: string | undefined) {
    const sent = render(op, req, token);
    const before = last ?? (await fingerprint());
    const logged = captured.lines.length;
    // Distinct client addresses: the rate limits are per address and would otherwise answer 429 to everything.
    ip++;
    const headers = {
      'x-forwarded-for': `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}`,
      ...sent.headers,
    };
    let timer: NodeJS.Timeout | undefined;
    const res = await Promise.race([
      Promise.resolve(fetch(new Request(sent.url, { method: sent.method, headers, body: sent.body }))),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ANSWER_WITHIN_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    const text = res ? await res.text() : `(no answer within ${ANSWER_WITHIN_MS} ms)`;
    const serverErrors = captured.lines.slice(logged).flatMap((l) => loggedError(l) ?? []);
    const status = res?.status ?? 599;
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    last = await fingerprint();
    const changed = status >= 400 && status < 500 ? changedTables(before, last) : [];
    const x: Exchange = {
      op,
      caller,
      sent,
      status,
      contentType: res?.headers.get('content-type') ?? '',
      text,
      serverErrors,
      changed,
    };
    return x;
  }

  it.each(operations.map((op, i) => [op.key, op, i] as const))(
    '%s: never 5xx, rejections are problem+json and change nothing',
    async (_key, op, i) => {
      const tokens = await fx.callers();
      last = undefined;
      const ctx = {
        components: (doc.components?.schemas ?? {}) as Record<string, JsonSchema>,
        valid: fx.valid(op.path),
        foreignIds: fx.foreignIds,
      };
      const arbitrary = requestArbitrary(op, ctx);
      const examples = singleFactorExamples(op, ctx, SEED).map((r): [FuzzRequest] => [r]);
      const property = fc.asyncProperty(COLLECT ? arbitrary : fc.limitShrink(arbitrary, 80), async (req) => {
        for (const caller of req.callers ?? CALLERS) {
          const x = await exchange(op, req, caller, tokens[caller]);
          const kind = violation(x);
          if (!kind) continue;
          if (COLLECT) failures.add(x, kind);
          else
            throw new Error(`${describeExchange(x, kind)}\n  reproduce: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}`);
        }
      });
      // fc.check, not fc.assert: its report would print the counterexample's megabyte strings in full.
      const run = await fc.check(property, { seed: SEED + i, numRuns: RUNS + examples.length, examples });
      if (run.failed) {
        const cause =
          run.errorInstance instanceof Error ? run.errorInstance.message : String(run.errorInstance);
        throw new Error(
          `${cause}\n  fast-check: seed ${run.seed}, path "${run.counterexamplePath}", shrunk ${run.numShrinks} times`,
        );
      }
    },
    Math.max(120_000, RUNS * CALLERS.length * 1_000),
  );

  it.runIf(COLLECT)('found no failure in the whole run', () => {
    expect(failures.report()).toBe('');
  });
});
