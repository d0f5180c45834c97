import { describe, expect, it } from 'vitest';
import { plans } from '../../../shared/db/schema';
import { json } from '../../../shared/testing/http';
import { usePlatform } from '../../../shared/testing/platform';
import { createPlansApp } from '../app';

describe('GET /api/v1/plans', () => {
  const platform = usePlatform();
  const app = () => createPlansApp(platform(), { log: platform().log });

  it('lists the seeded plans to anonymous callers, cheapest first', async () => {
    const res = await app().request('/api/v1/plans');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.items.map((p: { id: string }) => p.id)).toEqual(['free', 'standard', 'premium-dedicated']);
    expect(body.nextCursor).toBeNull();
    const premium = body.items[2];
    expect(premium).toMatchObject({ allowsDedicatedNodes: true, currency: 'usd' });
    expect(premium.resourceLimits.quota['requests.cpu']).toBeDefined();
    expect(Object.keys(premium).sort()).toEqual(
      [
        'allowsDedicatedNodes',
        'currency',
        'id',
        'maxMembers',
        'maxProjects',
        'name',
        'price',
        'resourceLimits',
      ].sort(),
    );
  });

  it('pages with limit and cursor without repeating or skipping', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Response = await app().request(`/api/v1/plans?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = (await json(res)) as { items: { id: string }[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['free', 'standard', 'premium-dedicated']);
  });

  it('hides inactive plans', async () => {
    const { db } = platform();
    await db.insert(plans).values({
      id: 'legacy',
      name: 'Legacy',
      price: 100,
      currency: 'usd',
      resourceLimits: {},
      maxProjects: 1,
      maxMembers: 1,
      active: false,
    });
    const body = await json(await app().request('/api/v1/plans'));
    expect(body.items.map((p: { id: string }) => p.id)).not.toContain('legacy');
  });

  it('returns 400 problem+json for a limit over 200', async () => {
    const res = await app().request('/api/v1/plans?limit=201');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await json(res)).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'limit' }] });
  });

  it('returns 400 for a cursor it did not issue', async () => {
    const res = await app().request('/api/v1/plans?cursor=not-a-cursor');
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ code: 'INVALID_CURSOR' });
  });
});
