// Builds every functions/<name>/index.ts into a self-contained ESM bundle for Node 20, which is what a Knative
// Service image runs: dist/functions/<name>/index.mjs plus the chunks it imports lazily (`await import()`), beside
// it. Each function has a size budget for the JavaScript it loads at start (the entry and its static chunks: what
// a cold start parses); lazy chunks load only on the paths that need them (Redis, nodemailer, openid-client) and
// are reported beside it. A bundle over its budget fails the build and the metafile says what it carries.
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const KB = 1000;
// The functions that talk to the host cluster carry the Kubernetes client and the kubeconfig/YAML code.
const TALKS_TO_CLUSTER = new Set(['provisioner', 'workspaces', 'usage-sampler']);
const target = (name) => (TALKS_TO_CLUSTER.has(name) ? 1000 * KB : 600 * KB);
// Functions that do not meet their target yet, with a budget just above today's size so they cannot grow
// unnoticed (docs/benchmarks.md, "Cold start and bundle sizes", says why each is over). Remove an entry once met.
// Every function carries ~19 KB for tracing (shared/telemetry: the OpenTelemetry API and its AsyncLocalStorage
// context manager, for a span per request and a traceId on every log line); the SDK and the OTLP exporter are a
// lazy chunk, loaded only with OTEL_EXPORTER_OTLP_ENDPOINT. Budgets below grew by that much.
const NOT_YET_MET = {
  auth: 690 * KB, // the sign-in flows: openid-client and oauth4webapi (~65 KB) on its own routes
  docs: 925 * KB, // every function's route modules, which hold their handlers too (workspaces: YAML, Kubernetes)
  notifications: 650 * KB, // the CloudEvents receiver (cloudevents, bignumber.js: ~55 KB)
  'billing-worker': 650 * KB, // the same CloudEvents receiver; the Stripe SDK itself is a lazy chunk
  'key-rotation': 630 * KB, // the same receiver; it crossed 600 KB when the event catalogue gained billing's events
  'dead-letters': 625 * KB, // the same receiver and catalogue; tracing took it over 600 KB
  organizations: 610 * KB, // tracing took it over 600 KB
  relay: 870 * KB, // the NATS and JetStream clients (~215 KB) are its job
};
const budget = (name) => NOT_YET_MET[name] ?? target(name);
// The Kubernetes client's entry: a function outside TALKS_TO_CLUSTER must not carry it.
const K8S_CLIENT = 'shared/k8s/rest.ts';
// The functions that build the OpenAPI document (and so carry its generator).
const DOCUMENTS = new Set(['docs']);

const root = new URL('.', import.meta.url).pathname;

// The web console's browser code (functions/console/ui) is built beside its function's bundle, into
// dist/functions/console/assets, with the options the function uses when it builds them in memory
// (functions/console/ui-build.json). Its budget is what the first screen downloads: the script, gzipped.
const CONSOLE_FIRST_SCREEN_GZIP = 150 * KB;

async function buildConsoleAssets(outdir) {
  const options = JSON.parse(readFileSync(join(root, 'functions/console/ui-build.json'), 'utf8'));
  const result = await esbuild.build({
    ...options,
    absWorkingDir: root,
    outdir: join(outdir, 'assets'),
    metafile: true,
    logLevel: 'warning',
  });
  const js = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
  const gzipped = js.reduce((sum, f) => sum + gzipSync(readFileSync(join(root, f))).length, 0);
  return {
    gzipped,
    problems: gzipped > CONSOLE_FIRST_SCREEN_GZIP ? ['console UI script over its budget'] : [],
  };
}
const names = readdirSync(join(root, 'functions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, 'functions', d.name, 'index.ts')))
  .map((d) => d.name)
  .sort();

// Some CommonJS dependencies call require(); ESM output has none unless we create it.
const banner = [
  "import { createRequire as __hxbCreateRequire } from 'node:module';",
  "import { fileURLToPath as __hxbFileURLToPath } from 'node:url';",
  "import { dirname as __hxbDirname } from 'node:path';",
  'const require = __hxbCreateRequire(import.meta.url);',
  'const __filename = __hxbFileURLToPath(import.meta.url);',
  'const __dirname = __hxbDirname(__filename);',
].join('\n');

/**
 * @hono/zod-openapi, trimmed to what a function uses. It hands zod's whole `z` namespace to extendZodWithOpenApi,
 * which only patches `z.ZodType`; a namespace used as a value keeps every export of zod in the bundle (locales,
 * JSON Schema, the compiler: ~340 KB), so the call gets just ZodType. And the OpenAPI document generator (~25 KB)
 * goes only into the functions that build the document (`documents`); elsewhere it is a stub that throws. The build
 * fails if the package changes shape.
 */
const zodOpenApiLean = ({ documents }) => ({
  name: 'zod-openapi-lean',
  setup(build) {
    // Its package.json names the CommonJS build first (`main`), which esbuild cannot tree-shake; use the ESM one.
    build.onResolve({ filter: /^@asteasolutions\/zod-to-openapi$/ }, async ({ resolveDir, kind }) => {
      const main = await build.resolve('@asteasolutions/zod-to-openapi/package.json', { resolveDir, kind });
      return { path: join(main.path, '..', 'dist', 'index.mjs') };
    });
    build.onLoad({ filter: /[\\/]@hono[\\/]zod-openapi[\\/]dist[\\/]index\.mjs$/ }, ({ path }) => {
      const generators = 'OpenApiGeneratorV3, OpenApiGeneratorV31, ';
      const stub = (name) =>
        `class ${name} { constructor() { throw new Error('the OpenAPI document generator is not in this bundle'); } }`;
      const edits = [
        ['import { z } from "zod";', 'import * as z from "zod";'],
        ['extendZodWithOpenApi(z);', 'extendZodWithOpenApi({ ZodType: z.ZodType });'],
        ...(documents
          ? []
          : [
              [`{ OpenAPIRegistry, ${generators}`, '{ OpenAPIRegistry, '],
              [
                'import { zValidator }',
                `${stub('OpenApiGeneratorV3')}\n${stub('OpenApiGeneratorV31')}\nimport { zValidator }`,
              ],
            ]),
      ];
      let source = readFileSync(path, 'utf8');
      for (const [from, to] of edits) {
        if (!source.includes(from))
          throw new Error(`${path} no longer has \`${from}\`: update esbuild.config.mjs`);
        source = source.replace(from, to);
      }
      return { contents: source, loader: 'js' };
    });
  },
});

/**
 * OpenTelemetry, tree-shaken. Most of its packages name their CommonJS build first (`main`) and have no `exports`
 * map, so esbuild would bundle their CommonJS builds whole (the SDK would carry all of semantic-conventions, ~80
 * KB): their ESM builds (`module`) are used instead. @opentelemetry/context-async-hooks, which every function loads
 * at start, has a CommonJS build only and `require`s the API for a constant or two, which would add the API's whole
 * CommonJS build (~15 KB) beside its ESM one: it gets a module re-exporting from the ESM API exactly the names it
 * reads. The build fails if it reads none the way it does today (the package changed shape).
 */
const openTelemetryLean = {
  name: 'opentelemetry-lean',
  setup(build) {
    build.onResolve({ filter: /^@opentelemetry\/api$/ }, ({ importer, kind }) =>
      kind === 'require-call' && /[\\/]@opentelemetry[\\/]context-async-hooks[\\/]/.test(importer)
        ? { path: importer, namespace: 'opentelemetry-api-names' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'opentelemetry-api-names' }, ({ path }) => {
      const names = [
        ...new Set([...readFileSync(path, 'utf8').matchAll(/\bapi_1\.(\w+)/g)].map((m) => m[1])),
      ];
      if (!names.length)
        throw new Error(`${path} no longer reads the API as api_1: update esbuild.config.mjs`);
      return {
        contents: `export { ${names.join(', ')} } from '@opentelemetry/api';`,
        resolveDir: root,
        loader: 'js',
      };
    });
    build.onResolve({ filter: /^@opentelemetry\/[\w-]+$/ }, async ({ path, resolveDir, kind }) => {
      const manifest = await build.resolve(`${path}/package.json`, { resolveDir, kind });
      if (manifest.errors.length) return undefined;
      const pkg = JSON.parse(readFileSync(manifest.path, 'utf8'));
      return pkg.module && !pkg.exports ? { path: join(manifest.path, '..', pkg.module) } : undefined;
    });
  },
};

/**
 * Modules a dependency imports for a feature Hexabase never uses, replaced by stubs:
 * - prom-client `require`s @opentelemetry/api (its whole CommonJS build, ~15 KB beside the ESM one shared/telemetry
 *   uses) only to label CPU-time exemplars with the active span; Hexabase enables no exemplars, so it never asks.
 *   Its Pushgateway client (which
 *   loads node:https, tls and zlib at start) is unused too: Prometheus scrapes METRICS_PORT.
 * - @hono/node-server imports node:http2 to recognise HTTP/2 requests; Hexabase serves HTTP/1.1 only (node:http,
 *   node:https), so no request is ever an Http2ServerRequest, and loading http2 costs every start ~10 ms.
 * - pino loads thread-stream (and node:worker_threads) for transports, which ship logs from a worker thread;
 *   Hexabase writes JSON lines to stdout and configures no transport.
 */
const unusedFeatures = {
  name: 'unused-features',
  setup(build) {
    const stubs = [
      {
        module: /^@opentelemetry\/api$/,
        importer: /[\\/]prom-client[\\/]/,
        contents:
          'module.exports = { trace: { getSpan: () => undefined }, context: { active: () => undefined } };',
      },
      {
        module: /^\.\/lib\/pushgateway$/,
        importer: /[\\/]prom-client[\\/]index\.js$/,
        contents:
          "module.exports = class Pushgateway { constructor() { throw new Error('the Pushgateway client is not in this bundle'); } };",
      },
      {
        module: /^thread-stream$/,
        importer: /[\\/]pino[\\/]/,
        contents:
          "module.exports = class ThreadStream { constructor() { throw new Error('pino transports are not in this bundle'); } };",
      },
      {
        module: /^(node:)?http2$/,
        importer: /[\\/]@hono[\\/]node-server[\\/]/,
        contents: 'export class Http2ServerRequest {}\nexport const constants = {};',
      },
    ];
    stubs.forEach((stub, i) => {
      build.onResolve({ filter: stub.module }, ({ importer }) =>
        stub.importer.test(importer) ? { path: String(i), namespace: 'unused-feature' } : undefined,
      );
    });
    build.onLoad({ filter: /.*/, namespace: 'unused-feature' }, ({ path }) => ({
      contents: stubs[Number(path)].contents,
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  metafile: true,
  legalComments: 'none',
  banner: { js: banner },
  logLevel: 'warning',
};

/** Bytes per package (node_modules) or source folder, and per input file, over the given outputs of a build. */
function breakdown(metafile, outputs) {
  const packages = new Map();
  const files = new Map();
  for (const output of outputs.map((file) => metafile.outputs[file])) {
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg =
        file.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? file.split('/').slice(0, 2).join('/');
      packages.set(pkg, (packages.get(pkg) ?? 0) + bytesInOutput);
      files.set(file, (files.get(file) ?? 0) + bytesInOutput);
    }
  }
  const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return { packages: top(packages, 15), files: top(files, 10) };
}

const kb = (bytes) => `${(bytes / KB).toFixed(1).padStart(7)} KB`;

async function buildFunction(name) {
  const outdir = join(root, 'dist/functions', name);
  // Chunks have content hashes in their names: old ones would pile up and be counted.
  rmSync(outdir, { recursive: true, force: true });
  const result = await esbuild.build({
    ...common,
    entryPoints: { index: join(root, 'functions', name, 'index.ts') },
    outdir,
    // Lazy imports (`await import()`) become chunks beside index.mjs, so import.meta.url means the same directory
    // everywhere (migrations/ is found next to it).
    splitting: true,
    chunkNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    sourcemap: true,
    keepNames: true,
    plugins: [zodOpenApiLean({ documents: DOCUMENTS.has(name) }), openTelemetryLean, unusedFeatures],
    // pg-native: optional accelerator of pg. PGlite and its drizzle driver: only for `npm start` and tests,
    // loaded lazily (shared/db/client.ts); a deployed function always has DATABASE_URL.
    // esbuild: only the console imports it, lazily, to build its UI when no prebuilt assets exist (npm start
    // under tsx, tests); a bundle always has them beside it.
    external: ['pg-native', '@electric-sql/pglite', 'drizzle-orm/pglite', 'drizzle-orm/pglite/*', 'esbuild'],
  });
  // Migrations travel with every bundle: any function may be the one a deployment tells to migrate.
  cpSync(join(root, 'migrations'), join(outdir, 'migrations'), { recursive: true });
  const ui = name === 'console' ? await buildConsoleAssets(outdir) : undefined;
  const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.mjs'));
  const bytes = outputs.reduce((sum, [, o]) => sum + o.bytes, 0);
  // What a cold start loads before it listens: the entry and the chunks it imports statically.
  // The function's own entry: lazy chunks are entry points in the metafile too, and may be listed before it.
  const [entryFile, entry] = outputs.find(([, o]) => o.entryPoint === `functions/${name}/index.ts`);
  const startFiles = [
    entryFile,
    ...entry.imports.filter((i) => i.kind === 'import-statement' && !i.external).map((i) => i.path),
  ];
  const atStart = startFiles.reduce((sum, file) => sum + result.metafile.outputs[file].bytes, 0);
  const carriesK8s = outputs.some(([, o]) => Object.keys(o.inputs).includes(K8S_CLIENT));
  const problems = [...(ui?.problems ?? [])];
  if (atStart > budget(name))
    problems.push(`loads ${kb(atStart).trim()} at start, over its budget of ${budget(name) / KB} KB`);
  if (NOT_YET_MET[name] && atStart <= target(name))
    problems.push('meets its target: remove it from NOT_YET_MET');
  if (carriesK8s && !TALKS_TO_CLUSTER.has(name) && !NOT_YET_MET[name]) {
    problems.push(`carries the Kubernetes client (${K8S_CLIENT}) but is not in TALKS_TO_CLUSTER`);
  }
  return {
    name,
    ui,
    bytes,
    atStart,
    startFiles,
    chunks: outputs.length - 1,
    problems,
    metafile: result.metafile,
  };
}

const built = await Promise.all(names.map(buildFunction));
let failed = false;
for (const b of built) {
  failed ||= b.problems.length > 0;
  console.log(
    `${b.problems.length ? '✗' : '✓'} ${b.name.padEnd(16)} ${kb(b.atStart)} at start of ${budget(b.name) / KB} KB` +
      (NOT_YET_MET[b.name] ? ` (target ${target(b.name) / KB} KB: not met)` : '') +
      `  (${kb(b.bytes).trim()} with ${b.chunks} lazy chunks)  dist/functions/${b.name}/index.mjs`,
  );
  if (b.ui)
    console.log(
      `  console UI: ${kb(b.ui.gzipped).trim()} of script gzipped, of ${CONSOLE_FIRST_SCREEN_GZIP / KB} KB  dist/functions/console/assets/`,
    );
  if (!b.problems.length) continue;
  console.error(`  ${b.name}: ${b.problems.join('; ')}. Largest packages and folders loaded at start:`);
  const { packages, files } = breakdown(b.metafile, b.startFiles);
  for (const [pkg, bytes] of packages) console.error(`    ${kb(bytes)}  ${pkg}`);
  console.error('  Largest files:');
  for (const [file, bytes] of files) console.error(`    ${kb(bytes)}  ${file}`);
}

// The CLI: one file, installable as the `hxb` bin (scripts/hxb.mjs loads it).
const cli = await esbuild.build({
  ...common,
  plugins: [zodOpenApiLean({ documents: false }), unusedFeatures],
  entryPoints: [join(root, 'scripts/hxb.ts')],
  outfile: join(root, 'dist/hxb.mjs'),
});
const cliBytes = Object.values(cli.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`✓ ${'hxb (CLI)'.padEnd(16)} ${kb(cliBytes)}  dist/hxb.mjs`);

// The migrator, run and exit: what a deployment's migrations Job starts (node /app/dist/migrate/index.mjs) before
// the functions roll out, with the migrations beside it as every function has them.
rmSync(join(root, 'dist/migrate'), { recursive: true, force: true });
const migrate = await esbuild.build({
  ...common,
  plugins: [unusedFeatures],
  entryPoints: [join(root, 'scripts/migrate.ts')],
  outfile: join(root, 'dist/migrate/index.mjs'),
  external: ['pg-native', '@electric-sql/pglite', 'drizzle-orm/pglite', 'drizzle-orm/pglite/*'],
});
cpSync(join(root, 'migrations'), join(root, 'dist/migrate/migrations'), { recursive: true });
const migrateBytes = Object.values(migrate.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`✓ ${'migrate (Job)'.padEnd(16)} ${kb(migrateBytes)}  dist/migrate/index.mjs`);

if (failed) {
  console.error('a function bundle is over its budget or carries what it must not (see above)');
  process.exit(1);
}
