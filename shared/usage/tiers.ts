import type { UsageData } from '../db/schema';

/**
 * Tier 0 keeps every sample (as runs of equal samples) for a day; tiers 1 and 2 keep 5-minute and hourly averages
 * for 30 and 400 days. A range query reads the finest tier that still covers its start.
 */
export const TIERS = [
  { tier: 0, bucketSeconds: 0, keepSeconds: 86_400 },
  { tier: 1, bucketSeconds: 300, keepSeconds: 30 * 86_400 },
  { tier: 2, bucketSeconds: 3600, keepSeconds: 400 * 86_400 },
] as const;

export const bucketStart = (at: Date, seconds: number) =>
  new Date(Math.floor(at.getTime() / (seconds * 1000)) * seconds * 1000);

/** The running average of a bucket after one more sample; a project or resource first seen starts at its value. */
export function averageIn(prev: UsageData, n: number, next: UsageData): UsageData {
  const out: UsageData = structuredClone(prev);
  for (const [project, resources] of Object.entries(next)) {
    out[project] ??= {};
    const row = out[project];
    for (const [resource, [used, hard]] of Object.entries(resources)) {
      const before = row[resource];
      row[resource] = before ? [(before[0] * n + used) / (n + 1), hard] : [used, hard];
    }
  }
  return out;
}

/** Per resource, `[used, hard]` summed over the projects (or over the one asked for). */
export function totals(data: UsageData, projectId?: string): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const [project, resources] of Object.entries(data)) {
    if (projectId && project !== projectId) continue;
    for (const [resource, [used, hard]] of Object.entries(resources)) {
      const [u, h] = out[resource] ?? [0, 0];
      out[resource] = [u + used, h + hard];
    }
  }
  return out;
}
