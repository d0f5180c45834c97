import type { KeyInfo, Rotation } from '../shared/auth/keys';
import { loadEnvOrExit } from '../shared/env';
import { createLogger } from '../shared/log';
import { createPlatform, type Platform } from '../shared/platform';

/**
 * `npm run keys -- list` and `npm run keys -- rotate`: operator tool for the token-signing keys. It runs against the
 * services' database with their settings (above all HEXABASE_KEY_ENCRYPTION_KEY), and builds the key store the way
 * they do, so a rotation keeps the retired key published exactly as long as their tokens need.
 */
const USAGE = 'usage: npm run keys -- list | rotate';

const iso = (d: Date | null) => d?.toISOString() ?? '-';

function state(k: KeyInfo, now: Date): string {
  if (!k.retiredAt) return k.activatedAt ? 'active' : 'pending';
  return k.publishedUntil && k.publishedUntil > now ? 'retired' : 'expired';
}

function table(keys: KeyInfo[], now: Date): string {
  const rows = [
    ['KID', 'ALG', 'STATE', 'ACTIVATED', 'RETIRED', 'PUBLISHED UNTIL'],
    ...keys.map((k) => [
      k.kid,
      k.alg,
      state(k, now),
      iso(k.activatedAt),
      iso(k.retiredAt),
      k.retiredAt ? iso(k.publishedUntil) : 'while active',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function rotated(r: Rotation): string {
  const lines = [`rotated: ${r.kid} is the active signing key since ${iso(r.activatedAt)}`];
  for (const old of r.retired)
    lines.push(`retired: ${old.kid}, published until ${iso(old.publishedUntil)} for the tokens it signed`);
  if (r.retired.length === 0) lines.push('no key was active before');
  return lines.join('\n');
}

const args = process.argv.slice(2);
const command = args[0];
if (args.length !== 1 || (command !== 'list' && command !== 'rotate')) {
  console.error(USAGE);
  process.exit(2);
}
const env = loadEnvOrExit();
const log = createLogger({ level: 'warn', name: 'keys' });
let platform: Platform | undefined;
try {
  platform = await createPlatform(env, log, { name: 'keys', migrate: true });
  const keys = platform.auth.auth.keys;
  if (command === 'rotate') {
    console.log(rotated(await keys.rotate({ reason: 'command' })));
  } else {
    const all = await keys.list();
    console.log(
      all.length
        ? table(all, new Date())
        : 'no signing keys yet: the first is created when a token is signed',
    );
  }
} catch (err) {
  // Operators read one line; the stack of an unreachable database or a wrong key helps nobody here.
  console.error(`hexabase keys: ${String((err as Error).message ?? err).split('\n')[0]}`);
  process.exitCode = 1;
} finally {
  await platform?.close();
}
