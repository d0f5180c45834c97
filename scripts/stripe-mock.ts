import { execFileSync, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { portOpen, waitFor } from '../shared/testing/kube/supervisor';
import { newWebhookSecret } from '../shared/testing/stripe';

/**
 * `npm run stripe-mock [-- --port N]`: Stripe's official stripe-mock (built from its Go module on first use) in the
 * foreground until Ctrl-C, and the command that runs the platform against it. stripe-mock validates requests
 * against Stripe's OpenAPI spec but keeps no state: every answer is a fixture.
 */
const root = resolve(import.meta.dirname, '..');

function portArg(argv: string[]): number {
  const i = argv.findIndex((a) => a === '--port' || a.startsWith('--port='));
  if (i < 0) return 12111; // stripe-mock's own default
  const raw = argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`usage: npm run stripe-mock [-- --port N]  (got --port ${raw ?? ''})`);
    process.exit(2);
  }
  return port;
}

const port = portArg(process.argv.slice(2));
// A no-op when the binary is there (progress, if any, goes to stderr); stdout is the binary's path.
const bin = execFileSync('bash', [join(root, 'scripts/stripe-mock/build.sh')], {
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
})
  .trim()
  .split('\n')
  .at(-1)!;

if (await portOpen(port)) {
  console.error(
    `port ${port} is already taken (another stripe-mock?); choose one: npm run stripe-mock -- --port N`,
  );
  process.exit(1);
}
// -http-port (not -http-addr): with -http-addr stripe-mock would also open HTTPS on 12112.
const child = spawn(bin, ['-http-port', String(port)], { stdio: ['ignore', 'inherit', 'inherit'] });
let exitCode: number | null = null;
let stopping = false;
child.once('exit', (code) => {
  // Killed by the signal we forwarded is a normal stop.
  exitCode = code ?? (stopping ? 0 : 1);
  process.exit(exitCode);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    stopping = true;
    child.kill(signal);
  });

const url = `http://127.0.0.1:${port}`;
// Any HTTP answer will do (unauthenticated `/` is a 401): it is serving.
await waitFor('stripe-mock', () => fetch(url).then(() => true), {
  timeoutMs: 15_000,
  intervalMs: 50,
  failed: () => (exitCode !== null ? `exited ${exitCode}` : undefined),
});

console.log(`stripe-mock ready at ${url} (stateless: answers are fixtures, requests are validated)`);
console.log('Run the platform against it:');
console.log(
  `  STRIPE_SECRET_KEY=sk_test_hexabase STRIPE_API_URL=${url} STRIPE_WEBHOOK_SECRET=${newWebhookSecret()} npm start`,
);
console.log('Ctrl-C stops it.');
