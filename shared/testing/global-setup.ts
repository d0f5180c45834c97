import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { findMigrationsDir, migrateDatabase, openPostgres } from '../db';
import { startTestEnvironment } from './kube/cluster';
import { startHelmReleaseStandIn } from './kube/helmrelease-standin';
import { TEST_SERVICES } from './services';

const LOCK = 7_347_222;

function migrationsHash(dir: string): string {
  const h = createHash('sha256');
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort())
    h.update(f).update(readFileSync(join(dir, f)));
  return h.digest('hex').slice(0, 12);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds one migrated template database per migration set; every test file clones it (CREATE DATABASE …
 * TEMPLATE), which takes milliseconds and gives files full isolation while they run in parallel.
 */
export default async function setup(project: TestProject) {
  const folder = findMigrationsDir();
  const template = `hexabase_tpl_${migrationsHash(folder)}`;
  const admin = new pg.Client({ connectionString: TEST_SERVICES.postgresAdminUrl });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock($1)', [LOCK]);
    const { rows } = await admin.query<{ datname: string }>(
      "select datname from pg_database where datname like 'hexabase\\_t\\_%' or datname like 'hexabase\\_tpl\\_%'",
    );
    // Leftovers of runs that were killed: their owner pid is gone. Templates of other migration sets are kept:
    // another checkout's run may be cloning from one right now.
    for (const { datname } of rows) {
      const owner = Number(/^hexabase_t_(\d+)_/.exec(datname)?.[1]);
      if (owner && !pidAlive(owner)) {
        await admin.query(`drop database if exists "${datname}" with (force)`);
      }
    }
    if (!rows.some((r) => r.datname === template)) {
      const building = `${template}_building`;
      await admin.query(`drop database if exists "${building}" with (force)`);
      await admin.query(`create database "${building}"`);
      const url = TEST_SERVICES.postgresUrl(building);
      const db = await openPostgres(url, { poolMax: 1 });
      await migrateDatabase(db, { url, folder });
      await db.close();
      await admin.query(`alter database "${building}" rename to "${template}"`);
    }
  } finally {
    await admin.query('select pg_advisory_unlock($1)', [LOCK]).catch(() => {});
    await admin.end();
  }
  project.provide('templateDatabase', template);
  project.provide('runId', String(process.pid));

  // Real Kubernetes: etcd + host kube-apiserver + controller-manager, and the Flux/vCluster stand-in.
  const kube = await startTestEnvironment();
  const standIn = await startHelmReleaseStandIn(kube);
  project.provide('kube', {
    binDir: kube.binaries.dir,
    etcdUrl: kube.etcd.url,
    hostKubeconfig: kube.host.kubeconfig,
    hostKubeconfigPath: kube.host.kubeconfigPath,
    hostUrl: kube.host.url,
    dir: kube.dir,
    ingressPort: standIn.ingressPort,
  });

  return async () => {
    await standIn.stop();
    await kube.stop();
    const c = new pg.Client({ connectionString: TEST_SERVICES.postgresAdminUrl });
    await c.connect();
    const { rows } = await c.query<{ datname: string }>(
      'select datname from pg_database where datname like $1',
      [`hexabase_t_${process.pid}_%`],
    );
    for (const { datname } of rows) await c.query(`drop database if exists "${datname}" with (force)`);
    await c.end();
  };
}
