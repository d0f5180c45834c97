import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '../testing/db';
import { openPglite, openPostgres } from './client';
import { findMigrationsDir, migrateDatabase } from './migrate';
import { plans } from './schema';

const folder = findMigrationsDir();
const journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8')) as {
  entries: unknown[];
};

describe('migrations', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it('apply to embedded PGlite and seed the plans', async () => {
    const db = await openPglite(undefined);
    cleanup.push(db.close);
    await migrateDatabase(db, { folder });
    const rows = await db.db.select({ id: plans.id }).from(plans);
    expect(rows.map((r) => r.id).sort()).toEqual(['free', 'premium-dedicated', 'standard']);
  });

  it('apply to PostgreSQL once, even when several processes start at the same time', async () => {
    const empty = await createEmptyDatabase();
    cleanup.push(empty.drop);
    const handles = await Promise.all([1, 2, 3].map(() => openPostgres(empty.url, { poolMax: 1 })));
    for (const h of handles) cleanup.unshift(h.close);
    await Promise.all(handles.map((h) => migrateDatabase(h, { url: empty.url, folder })));
    const first = handles[0]!.db;
    const applied = () =>
      first.select({ n: sql<number>`count(*)::int` }).from(sql`drizzle.__drizzle_migrations`);
    expect(await applied()).toEqual([{ n: journal.entries.length }]);
    const seeded = await first.select({ id: plans.id }).from(plans);
    expect(seeded).toHaveLength(3);
    // Running again is a no-op.
    await migrateDatabase(handles[1]!, { url: empty.url, folder });
    expect(await applied()).toEqual([{ n: journal.entries.length }]);
  });

  it('enforce the integrity rules the queries rely on', async () => {
    const db = await openPglite(undefined);
    cleanup.push(db.close);
    await migrateDatabase(db, { folder });
    await db.db.execute(sql`insert into users (id, email, display_name) values ('usr-a', 'a@x.io', 'A')`);
    await db.db.execute(sql`insert into organizations (id, name) values ('org-a', 'A')`);
    await db.db.execute(
      sql`insert into workspaces (id, organization_id, name, plan_id) values ('ws-a', 'org-a', 'w', 'free')`,
    );
    await db.db.execute(sql`insert into groups (id, workspace_id, name) values ('grp-a', 'ws-a', 'G')`);
    // A group membership for someone who is not a workspace member is refused by the database itself.
    await expect(
      db.db.execute(
        sql`insert into group_memberships (workspace_id, group_id, user_id) values ('ws-a', 'grp-a', 'usr-a')`,
      ),
    ).rejects.toThrow();
    await expect(
      db.db.execute(sql`insert into groups (id, workspace_id, name) values ('grp-b', 'ws-a', 'bad name!')`),
    ).rejects.toThrow();
    await expect(
      db.db.execute(sql`insert into projects (id, workspace_id, name) values ('prj-a', 'ws-a', 'Not_DNS')`),
    ).rejects.toThrow();
  });
});
