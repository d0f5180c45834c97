#!/usr/bin/env node
// Launcher for `hxb`. In a repository checkout (tsx installed) it runs the TypeScript source, so it never picks up
// a stale or half-written bundle; an installed package (no dev dependencies) runs the bundle from `npm run build`.
import { fileURLToPath, pathToFileURL } from 'node:url';

let tsImport;
try {
  ({ tsImport } = await import('tsx/esm/api'));
} catch {
  tsImport = undefined;
}
if (tsImport) await tsImport('./hxb.ts', import.meta.url);
else await import(pathToFileURL(fileURLToPath(new URL('../dist/hxb.mjs', import.meta.url))).href);
