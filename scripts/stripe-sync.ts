import { syncStripeMeters } from '../shared/billing/meters';
import { syncStripePrices } from '../shared/billing/prices';
import { createStripe } from '../shared/billing/stripe';
import { loadEnvOrExit } from '../shared/env';
import { createLogger } from '../shared/log';
import { createPlatform, type Platform } from '../shared/platform';

/**
 * `npm run stripe:sync [-- --price <planId>=<price_…> …]`: creates or updates Stripe's products and prices from the
 * plans table and records each paid plan's price id, and makes sure the usage meters exist (metered billing sends
 * events by the meters' event names, so their ids are only printed, for attaching metered prices), against the
 * services' database and STRIPE_SECRET_KEY. Safe to run again at any time; `--price` points a plan at a price that
 * already exists in the Stripe account.
 */
const USAGE = 'usage: npm run stripe:sync [-- --price <planId>=<price_id> ...]';

const args = process.argv.slice(2);
const explicit: Record<string, string> = {};
for (let i = 0; i < args.length; i++) {
  const m = args[i] === '--price' ? /^([^=\s]+)=(price_[A-Za-z0-9]+)$/.exec(args[i + 1] ?? '') : null;
  if (!m) {
    console.error(USAGE);
    process.exit(2);
  }
  explicit[m[1]!] = m[2]!;
  i++;
}
const env = loadEnvOrExit();
const client = createStripe(env);
if (!client) {
  console.error('hexabase stripe:sync: STRIPE_SECRET_KEY is not set (billing is off): nothing to sync');
  process.exit(2);
}
const log = createLogger({ level: 'warn', name: 'stripe-sync' });
let platform: Platform | undefined;
try {
  platform = await createPlatform(env, log, { name: 'stripe-sync', migrate: true });
  const stripe = await client();
  const synced = await syncStripePrices(stripe, platform.db, explicit);
  for (const s of synced)
    console.log(`${s.planId}: ${s.priceId} (${s.created ? 'created' : 'kept'}, product ${s.productId})`);
  if (synced.length === 0) console.log('no paid plans: no prices to sync');
  for (const m of await syncStripeMeters(stripe))
    console.log(`meter ${m.eventName}: ${m.meterId} (${m.action})`);
} catch (err) {
  console.error(`hexabase stripe:sync: ${String((err as Error).message ?? err).split('\n')[0]}`);
  process.exitCode = 1;
} finally {
  await platform?.close();
}
