import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { outbox } from '../db/schema';
import { waitFor } from '../testing/kube/supervisor';
import { usePlatform } from '../testing/platform';
import { enqueueUncatalogued } from './outbox';
import { createRelay } from './relay';
import { pruneOutbox } from './retention';

describe('outbox retention', () => {
  const platform = usePlatform();
  const row = async (sentHoursAgo: number | null) => {
    const id = await enqueueUncatalogued(platform().db, {
      type: 'ai.hexabase.test.kept',
      source: 'test',
      subject: 'retention',
      data: {},
    });
    const sentAt = sentHoursAgo === null ? null : new Date(Date.now() - sentHoursAgo * 3_600_000);
    await platform().db.update(outbox).set({ sentAt }).where(eq(outbox.id, id));
    return id;
  };
  const present = async (ids: string[]) =>
    (await platform().db.select({ id: outbox.id }).from(outbox).where(inArray(outbox.id, ids)))
      .map((r) => r.id)
      .sort();

  it('deletes published rows older than a day and keeps newer and unpublished ones', async () => {
    const old = await row(25);
    const recent = await row(1);
    const unsent = await row(null);
    await platform()
      .db.update(outbox)
      .set({ createdAt: new Date(Date.now() - 3 * 86_400_000) })
      .where(eq(outbox.id, unsent));
    expect(await pruneOutbox(platform().db)).toBeGreaterThanOrEqual(1);
    expect(await present([old, recent, unsent])).toEqual([recent, unsent].sort());
  });

  it('is done by the running relay', async () => {
    const old = await row(30);
    const relay = createRelay({
      database: platform().database,
      publish: async () => {},
      log: platform().log,
    });
    await relay.start();
    try {
      await waitFor(
        'the relay to prune',
        async () => ((await present([old])).length === 0 ? true : undefined),
        {
          timeoutMs: 30_000,
        },
      );
    } finally {
      await relay.stop();
    }
  });
});
