import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { type Condition, tasks, workspaces } from '../db/schema';
import { failureOf, Requeue, type TerminalError, terminalIfRefused } from './errors';
import { withCondition, withReadySummary } from './status';

type Workspace = typeof workspaces.$inferSelect;
type RowPatch = Partial<
  Pick<
    Workspace,
    | 'status'
    | 'statusMessage'
    | 'observedGeneration'
    | 'endpoint'
    | 'endpointCa'
    | 'reconciledHash'
    | 'reconciledAt'
  >
>;
type TaskPatch = { status: 'running' | 'succeeded' | 'failed'; progress: number; message: string };

/** A workspace's first verdict, and how long after its creation it came (what provisioning took). */
export type FirstVerdict = { outcome: 'running' | 'error'; seconds: number };

/** Statuses only a workspace that never had a verdict is in: from one of them, RUNNING or ERROR is its first. */
const BEFORE_FIRST_VERDICT = new Set<Workspace['status']>([
  'PENDING_CREATION',
  'PROVISIONING',
  'CONFIGURING',
]);

/**
 * Collects what one pass learns about a workspace and writes it once, when the pass ends whatever happened
 * (reconcile.ts flushes it in a `finally`): one UPDATE of the row and one of its open tasks, in one transaction.
 * Steps report here instead of writing, so the row always shows how far the last pass got and why it stopped,
 * and a pass that changes nothing writes nothing it does not mean to.
 */
export class StatusWriter {
  private row: RowPatch = {};
  private taskPatch: TaskPatch | undefined;
  private list: Condition[];
  private conditionsChanged = false;
  private fingerprint: string | undefined;

  constructor(
    private readonly db: Db,
    private readonly ws: Pick<Workspace, 'id' | 'conditions' | 'status'>,
  ) {
    this.list = ws.conditions;
  }

  condition(c: Omit<Condition, 'lastTransitionTime'>) {
    this.list = withCondition(this.list, c);
    this.conditionsChanged = true;
  }

  drop(type: string) {
    if (!this.list.some((c) => c.type === type)) return;
    this.list = this.list.filter((c) => c.type !== type);
    this.conditionsChanged = true;
  }

  set(patch: RowPatch) {
    Object.assign(this.row, patch);
  }

  /** Progress of the workspace's open tasks; the last call of the pass is what gets written. */
  task(status: TaskPatch['status'], progress: number, message: string) {
    this.taskPatch = { status, progress, message };
  }

  /** The desired state this pass acts on (desired.ts), recorded with the verdict so the tick can skip it. */
  observe(fingerprint: string) {
    this.fingerprint = fingerprint;
  }

  /** Still converging: the task shows how far, and the returned Requeue asks to be called again. */
  waiting(progress: number, message: string, reason: string): Requeue {
    this.task('running', progress, message);
    return new Requeue(message, reason);
  }

  /**
   * One step of the pass, working toward condition `type` (null: none). If it fails, that condition becomes False
   * with the failure's reason before the error propagates; with `host`, the host API's refusals become terminal.
   * A Requeue passes through: the step has already said what it waits for.
   */
  async step<T>(type: string | null, run: () => Promise<T>, opts: { host?: boolean } = {}): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof Requeue) throw err;
      const e = opts.host ? terminalIfRefused(err) : err;
      if (type) this.condition({ type, status: 'False', ...failureOf(e) });
      throw e;
    }
  }

  /** The pass reached the end: serving, with what it observed. */
  running(patch: Pick<RowPatch, 'observedGeneration' | 'endpoint' | 'endpointCa'>) {
    this.set({ ...patch, status: 'RUNNING', statusMessage: null, ...this.settled() });
    this.task('succeeded', 100, 'Workspace is running');
  }

  /**
   * The pass reached the suspended verdict: SUSPENDED for this generation, settled like RUNNING. Open tasks are left
   * as they are: they finish when the workspace runs again.
   */
  suspended(patch: Pick<RowPatch, 'observedGeneration'>, message: string) {
    this.set({ ...patch, status: 'SUSPENDED', statusMessage: message, ...this.settled() });
  }

  /** A TerminalError ended the pass: ERROR with its message, the task failed, not retried until a change. */
  fail(err: TerminalError) {
    this.set({ status: 'ERROR', statusMessage: err.message, ...this.settled() });
    this.task('failed', 100, err.message);
  }

  private settled(): RowPatch {
    return { reconciledHash: this.fingerprint ?? null, reconciledAt: new Date() };
  }

  /**
   * Writes what was collected (nothing when nothing was); safe to call again. Resolves with the workspace's first
   * verdict when this write is the one that recorded it.
   */
  async flush(): Promise<FirstVerdict | undefined> {
    const conditions = this.conditionsChanged ? { conditions: withReadySummary(this.list) } : {};
    const row = { ...this.row, ...conditions };
    const task = this.taskPatch;
    this.row = {};
    this.taskPatch = undefined;
    this.conditionsChanged = false;
    if (!Object.keys(row).length && !task) return undefined;
    const verdict = row.status === 'RUNNING' || row.status === 'ERROR' ? row.status : undefined;
    const maybeFirst = verdict && BEFORE_FIRST_VERDICT.has(this.ws.status);
    const updatedAt = new Date();
    return this.db.transaction(async (tx) => {
      // Passes of one workspace may run side by side: the row lock lets exactly one of them see the status from
      // before the first verdict, so the verdict is counted once per workspace, across replicas and restarts.
      const [before] = maybeFirst
        ? await tx
            .select({
              status: workspaces.status,
              seconds: sql<number>`extract(epoch from clock_timestamp() - ${workspaces.createdAt})::float8`,
            })
            .from(workspaces)
            .where(eq(workspaces.id, this.ws.id))
            .for('update')
        : [];
      if (Object.keys(row).length)
        await tx
          .update(workspaces)
          .set({ ...row, updatedAt })
          .where(eq(workspaces.id, this.ws.id));
      if (task)
        await tx
          .update(tasks)
          .set({ ...task, updatedAt })
          .where(and(eq(tasks.resourceId, this.ws.id), inArray(tasks.status, ['pending', 'running'])));
      if (!verdict || !before || !BEFORE_FIRST_VERDICT.has(before.status)) return undefined;
      return { outcome: verdict === 'RUNNING' ? 'running' : 'error', seconds: before.seconds } as const;
    });
  }
}
