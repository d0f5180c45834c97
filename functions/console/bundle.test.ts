import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildAssets } from './assets';

describe('the console UI bundle', () => {
  it('downloads at most 150 KB of gzipped script for the first screen', async () => {
    const assets = await buildAssets(`${import.meta.dirname}/../..`);
    const scripts = [...assets.files].filter(([name]) => name.endsWith('.js'));
    // One script, no lazy chunks: all of it is the first screen.
    expect(scripts.map(([name]) => name)).toEqual([assets.script]);
    const gzipped = scripts.reduce((sum, [, a]) => sum + gzipSync(a.body).length, 0);
    expect(gzipped).toBeLessThanOrEqual(150 * 1000);
  });
});
