// Builds every functions/<name>/index.ts into one self-contained ESM bundle for Node 20, which is what a
// Knative Service image runs. Prints each bundle's size from the metafile.
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const MAX_BYTES = 1.5 * 1024 * 1024;
const root = new URL('.', import.meta.url).pathname;
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

let failed = false;
for (const name of names) {
  const outdir = join(root, 'dist/functions', name);
  const result = await esbuild.build({
    entryPoints: [join(root, 'functions', name, 'index.ts')],
    outfile: join(outdir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: true,
    minify: true,
    keepNames: true,
    metafile: true,
    legalComments: 'none',
    banner: { js: banner },
    logLevel: 'warning',
    // pg-native: optional accelerator of pg. PGlite and its drizzle driver: only for `npm start` and tests,
    // loaded lazily (shared/db/client.ts); a deployed function always has DATABASE_URL.
    external: ['pg-native', '@electric-sql/pglite', 'drizzle-orm/pglite', 'drizzle-orm/pglite/*'],
  });
  // Migrations travel with every bundle: any function may be the one a deployment tells to migrate.
  cpSync(join(root, 'migrations'), join(outdir, 'migrations'), { recursive: true });
  const bytes = Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.mjs'))
    .reduce((sum, [, o]) => sum + o.bytes, 0);
  const over = bytes > MAX_BYTES;
  failed ||= over;
  console.log(
    `${over ? '✗' : '✓'} ${name.padEnd(16)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB  dist/functions/${name}/index.mjs`,
  );
}
// The CLI: one file, installable as the `hxb` bin (scripts/hxb.mjs loads it).
const cli = await esbuild.build({
  entryPoints: [join(root, 'scripts/hxb.ts')],
  outfile: join(root, 'dist/hxb.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  metafile: true,
  banner: { js: banner },
  logLevel: 'warning',
});
const cliBytes = Object.entries(cli.metafile.outputs).reduce((sum, [, o]) => sum + o.bytes, 0);
console.log(`✓ ${'hxb (CLI)'.padEnd(16)} ${(cliBytes / 1024).toFixed(1).padStart(8)} KiB  dist/hxb.mjs`);

if (failed) {
  console.error(`a bundle is over ${MAX_BYTES / 1024 / 1024} MiB`);
  process.exit(1);
}
