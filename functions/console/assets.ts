import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import uiBuild from './ui-build.json';

/** One built file of the UI, served from /assets/ under its content-hashed name. */
export type Asset = { body: Uint8Array; type: string };

/** The built UI: files by name, and the names of the script and stylesheet the shell loads. */
export type ConsoleAssets = { files: Map<string, Asset>; script: string; style: string };

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const typeOf = (name: string) => TYPES[/\.[a-z]+$/.exec(name)?.[0] ?? ''] ?? 'application/octet-stream';

function collect(entries: { name: string; body: Uint8Array }[]): ConsoleAssets {
  const files = new Map(entries.map((e) => [e.name, { body: e.body, type: typeOf(e.name) }]));
  const names = [...files.keys()];
  const script = names.find((n) => /^app-[^.]+\.js$/.test(n));
  const style = names.find((n) => /^app-[^.]+\.css$/.test(n));
  if (!script || !style)
    throw new Error(`the console's assets are incomplete: ${names.join(', ') || 'none'}`);
  return { files, script, style };
}

/** Assets `npm run build` wrote beside the function's bundle (dist/functions/console/assets). */
export function readBuiltAssets(dir: string): ConsoleAssets {
  return collect(readdirSync(dir).map((name) => ({ name, body: readFileSync(join(dir, name)) })));
}

/**
 * The UI built in memory with esbuild's JS API, from the same options `npm run build` uses (ui-build.json): for
 * `npm start` under tsx and tests, where no prebuilt assets exist. esbuild is a devDependency, present wherever
 * the sources run; a deployed bundle always has its prebuilt assets and never loads it.
 */
export async function buildAssets(root: string): Promise<ConsoleAssets> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    ...(uiBuild as Record<string, unknown>),
    absWorkingDir: root,
    outdir: join(root, 'dist/functions/console/assets'),
    write: false,
    logLevel: 'silent',
  });
  return collect(result.outputFiles.map((f) => ({ name: basename(f.path), body: f.contents })));
}

let loading: Promise<ConsoleAssets> | undefined;

/**
 * The console's assets, loaded once per process: prebuilt ones beside the bundle when they exist, else built in
 * memory from the sources.
 */
export function loadConsoleAssets(): Promise<ConsoleAssets> {
  loading ??= (async () => {
    const prebuilt = join(import.meta.dirname, 'assets');
    if (existsSync(prebuilt)) return readBuiltAssets(prebuilt);
    return buildAssets(join(import.meta.dirname, '..', '..'));
  })().catch((err) => {
    loading = undefined; // the next page asked for tries again
    throw err;
  });
  return loading;
}
