import { sql } from 'drizzle-orm';
import type { Db } from '../../db';
import { rows } from '../../db/raw';
import { type Caller, type DocOperation, preview, type Rendered } from './requests';

type Fingerprint = Map<string, string>;

/**
 * A cheap fingerprint of the whole database: per table, its row count and an order-free hash of its rows. Any
 * insert, update or delete shows; a few milliseconds on the fixture's few hundred rows.
 */
export async function fingerprinter(db: Db): Promise<() => Promise<Fingerprint>> {
  const tables = await rows<{ name: string }>(
    db,
    sql`select table_name as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  const query = tables
    .map(
      ({ name }) =>
        `select '${name}' as t, count(*) || ':' || coalesce(sum(hashtext(x::text)::bigint), 0) as v from "${name}" x`,
    )
    .join(' union all ');
  return async () =>
    new Map((await rows<{ t: string; v: string }>(db, sql.raw(query))).map((r) => [r.t, r.v]));
}

export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  return [...after.keys()].filter((t) => before.get(t) !== after.get(t));
}

export type Exchange = {
  op: DocOperation;
  caller: Caller;
  sent: Rendered;
  status: number;
  contentType: string;
  text: string;
  /** Errors the server logged (warn and up) while answering: the real cause behind a 500 or a late 400. */
  serverErrors: string[];
  changed: string[];
};

/** What is wrong with one answer, or undefined. */
export function violation(x: Exchange): string | undefined {
  if (x.status >= 500) return `${x.status}`;
  if (x.status < 400) return undefined;
  // With an Idempotency-Key the first answer, a 4xx included, is kept to be replayed: CONTRACT's design.
  if (x.sent.headers['idempotency-key'] !== undefined)
    x.changed = x.changed.filter((t) => t !== 'idempotency_keys');
  // The server logged an error while answering 4xx: the value got past validation and something deeper refused it.
  if (x.serverErrors.length) return '4xx only after a server-side error (validation gap)';
  const declared = x.op.responses[String(x.status)] ?? [];
  const type = x.contentType.split(';')[0]!.trim();
  if (type === 'text/html' && declared.includes('text/html')) {
    return x.changed.length ? `4xx changed ${x.changed.join(', ')}` : undefined;
  }
  let body: { status?: unknown; code?: unknown; error?: unknown } = {};
  try {
    body = JSON.parse(x.text);
  } catch {}
  // The OAuth token endpoint documents RFC 6749 error bodies ({ error, error_description }) for its 4xx answers.
  const oauth =
    type === 'application/json' && declared.includes('application/json') && typeof body.error === 'string';
  if (!oauth) {
    if (type !== 'application/problem+json') return `4xx as ${type || 'no content type'}`;
    if (body.status !== x.status || typeof body.code !== 'string') return '4xx problem without status/code';
  }
  if (x.changed.length) return `4xx changed ${x.changed.join(', ')}`;
  return undefined;
}

type LoggedErr = { type?: string; code?: string; message?: string; stack?: string; cause?: LoggedErr };

/**
 * What a log line says went wrong, or undefined for a line that is no error. The root cause (the database's
 * complaint, not Drizzle's statement dump) with its SQLSTATE, whether the logger kept the cause as a field or only
 * in the stack.
 */
export function loggedError(line: Record<string, unknown>): string | undefined {
  const err = line.err as LoggedErr | undefined;
  const serious = line.level === 'error' || line.level === 'fatal' || (line.level as number) >= 50;
  if (!err) return serious ? String(line.msg) : undefined;
  const causedBy = /caused by: (\w+): (.*)/.exec(err.stack ?? '');
  const root = err.cause ?? (causedBy ? { type: causedBy[1], message: causedBy[2] } : err);
  const code = err.code ?? root.code;
  return `${root.type ?? 'Error'}${code ? ` ${code}` : ''}: ${root.message ?? line.msg}`;
}

/** A server error message without the values in it, so failures group by cause. */
export function causeOf(x: Exchange): string {
  const first = x.serverErrors[0];
  if (!first) return '(nothing logged)';
  return first
    .replace(/"[^"]*"/g, '"…"')
    .replace(/'[^']*'/g, "'…'")
    .replace(/\b[a-z]+-[a-z2-7]{20}\b/g, 'ID')
    .replace(/\$\d+/g, '$n')
    .slice(0, 160);
}

export function describe(x: Exchange, kind: string): string {
  const url = new URL(x.sent.url);
  return [
    `${kind} for ${x.op.key} as ${x.caller}`,
    `  request:  ${x.sent.method} ${preview(decodeURIComponentSafe(url.pathname), 300)}`,
    `  raw url:  ${preview(x.sent.url.slice('http://localhost'.length), 300)}`,
    `  query:    ${url.search ? preview(url.search, 300) : '(none)'}`,
    `  body:     ${x.sent.headers['content-type'] ?? '(no content type)'} ${preview(x.sent.body)}`,
    ...Object.entries(x.sent.chosenHeaders).map(([h, v]) => `  header:   ${h}: ${preview(v, 160)}`),
    `  response: ${x.status} ${x.contentType || '(no content type)'} ${preview(x.text, 400)}`,
    ...(x.changed.length ? [`  changed:  ${x.changed.join(', ')}`] : []),
    ...(x.serverErrors.length ? [`  server:   ${preview(x.serverErrors.join(' | '), 400)}`] : []),
  ].join('\n');
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Every distinct failure of a long run, grouped by what went wrong and why, with the shortest example. */
export class FailureLog {
  readonly groups = new Map<string, { count: number; ops: Set<string>; example: string }>();

  add(x: Exchange, kind: string) {
    const key = `${kind} · ${causeOf(x)}`;
    const text = describe(x, kind);
    const g = this.groups.get(key);
    if (!g) this.groups.set(key, { count: 1, ops: new Set([x.op.key]), example: text });
    else {
      g.count++;
      g.ops.add(x.op.key);
      if (text.length < g.example.length) g.example = text;
    }
  }

  report(): string {
    return [...this.groups.entries()]
      .map(
        ([key, g]) =>
          `■ ${key}\n  ${g.count}× on ${g.ops.size} operation(s): ${[...g.ops].join(', ')}\n${g.example}`,
      )
      .join('\n\n');
  }
}
