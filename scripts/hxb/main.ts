import { parseArgs } from 'node:util';
import { api, CliError } from './api';
import { cliEnv, readStored, type Stored, writeSecret } from './config';
import { kubectlCredential } from './credential';

const USAGE = `hxb — the Hexabase CLI

  hxb login --token <hxb_pat_…> [--url <https://hexabase.example.com>]
  hxb orgs list
  hxb workspaces list --org <orgId>
  hxb workspaces create <name> --org <orgId> [--plan free] [--detach]
  hxb workspaces delete <wsId> --org <orgId>
  hxb kubeconfig <wsId> [--mode exec|token]
  hxb kubectl-credential <wsId>        (used by kubectl as an exec plugin)

Options: --json for machine-readable output. Exit codes: 0 ok, 1 error, 2 usage, 3 unreachable, 4 not signed in, 5 not found.`;

type Out = { json: boolean; print: (human: string, data: unknown) => void };

function table(rows: Record<string, unknown>[], cols: string[]): string {
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    line(cols.map((c) => c.toUpperCase())),
    ...rows.map((r) => line(cols.map((c) => String(r[c] ?? '')))),
  ].join('\n');
}

async function findOrgOf(s: Stored, wsId: string): Promise<string> {
  const orgs = await api<{ items: { id: string }[] }>(s.url, s.token, '/api/v1/organizations?limit=200');
  for (const o of orgs.items) {
    const res = await fetch(new URL(`/api/v1/organizations/${o.id}/workspaces/${wsId}`, s.url), {
      headers: { authorization: `Bearer ${s.token}` },
    });
    if (res.ok) return o.id;
  }
  throw new CliError(`no workspace ${wsId} among your organizations`, 5);
}

async function follow(s: Stored, taskId: string, out: Out) {
  const res = await fetch(new URL(`/api/v1/tasks/${taskId}`, s.url), {
    headers: { authorization: `Bearer ${s.token}`, accept: 'text/event-stream' },
  });
  const decoder = new TextDecoder();
  let buffer = '';
  let last: { status: string; message: string | null; progress: number } | undefined;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let i = buffer.indexOf('\n\n');
    while (i >= 0) {
      const data = buffer
        .slice(0, i)
        .split('\n')
        .find((l) => l.startsWith('data:'));
      buffer = buffer.slice(i + 2);
      if (data) {
        last = JSON.parse(data.slice(5));
        if (!out.json)
          process.stderr.write(
            `  ${String(last!.progress).padStart(3)}%  ${last!.status}  ${last!.message ?? ''}\n`,
          );
      }
      i = buffer.indexOf('\n\n');
    }
  }
  if (last?.status === 'failed') throw new CliError(`task failed: ${last.message}`);
  return last;
}

export async function main(
  argv: string[],
  write: (s: string) => void = (s) => process.stdout.write(s),
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      token: { type: 'string' },
      url: { type: 'string' },
      org: { type: 'string' },
      plan: { type: 'string', default: 'free' },
      mode: { type: 'string', default: 'exec' },
      help: { type: 'boolean', short: 'h', default: false },
      detach: { type: 'boolean', default: false },
    },
  });
  const out: Out = {
    json: values.json ?? false,
    print: (human, data) => write(`${values.json ? JSON.stringify(data, null, 2) : human}\n`),
  };
  const { apiUrl, paths } = cliEnv();
  const [cmd, sub, arg] = positionals;
  if (values.help || !cmd) {
    write(`${USAGE}\n`);
    return cmd ? 0 : 2;
  }
  if (cmd === 'login') {
    const url = values.url ?? apiUrl ?? readStored(paths)?.url ?? 'http://localhost:8080';
    if (!values.token)
      throw new CliError(
        'hxb login needs --token <personal access token> (create one in the console or POST /auth/tokens)',
        2,
      );
    const me = await api<{ email: string }>(url, values.token, '/auth/me');
    writeSecret(paths.config, JSON.stringify({ url, token: values.token }), paths.dir);
    out.print(`Signed in to ${url} as ${me.email}`, { url, email: me.email });
    return 0;
  }
  const stored = readStored(paths);
  if (!stored) throw new CliError('not signed in: run `hxb login --token …` first', 4);
  const s = { ...stored, url: apiUrl ?? stored.url };
  if (cmd === 'kubectl-credential' && sub) {
    write(`${JSON.stringify(await kubectlCredential(s, paths, sub))}\n`);
    return 0;
  }
  if (cmd === 'orgs' && sub === 'list') {
    const page = await api<{ items: { id: string; name: string; role: string }[] }>(
      s.url,
      s.token,
      '/api/v1/organizations?limit=200',
    );
    out.print(table(page.items, ['id', 'name', 'role']), page.items);
    return 0;
  }
  if (cmd === 'workspaces' && values.org) {
    const base = `/api/v1/organizations/${values.org}/workspaces`;
    if (sub === 'list') {
      const page = await api<{ items: Record<string, unknown>[] }>(s.url, s.token, `${base}?limit=200`);
      out.print(table(page.items, ['id', 'name', 'planId', 'status']), page.items);
      return 0;
    }
    if (sub === 'create' && arg) {
      const started = await api<{ taskId: string; workspaceId: string }>(s.url, s.token, base, {
        method: 'POST',
        body: JSON.stringify({ name: arg, planId: values.plan }),
      });
      if (!out.json)
        process.stderr.write(`Creating workspace ${started.workspaceId} (task ${started.taskId})\n`);
      const last = values.detach ? undefined : await follow(s, started.taskId, out);
      out.print(`Workspace ${started.workspaceId}: ${last?.status ?? 'pending'}`, { ...started, task: last });
      return 0;
    }
    if (sub === 'delete' && arg) {
      const started = await api<{ taskId: string }>(s.url, s.token, `${base}/${arg}`, { method: 'DELETE' });
      out.print(`Deleting workspace ${arg} (task ${started.taskId})`, started);
      return 0;
    }
  }
  if (cmd === 'kubeconfig' && sub) {
    const org = values.org ?? (await findOrgOf(s, sub));
    write(
      await api<string>(
        s.url,
        s.token,
        `/api/v1/organizations/${org}/workspaces/${sub}/kubeconfig?mode=${values.mode}`,
      ),
    );
    return 0;
  }
  write(`${USAGE}\n`);
  return 2;
}
