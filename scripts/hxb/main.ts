import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { api, CliError } from './api';
import { browserLogin } from './browser-login';
import { cliEnv, readStored, type Stored, writeSecret } from './config';
import { kubectlCredential } from './credential';

const USAGE = `hxb — the Hexabase CLI

  hxb login [--url <https://hexabase.example.com>] [--provider <id>] [--no-browser]
                                       (signs in through the browser)
  hxb login --token <hxb_pat_…> [--url …]
  hxb logout                           (revokes the CLI's token and forgets it)
  hxb orgs list
  hxb workspaces list --org <orgId>
  hxb workspaces create <name> --org <orgId> [--plan free] [--detach]
  hxb workspaces delete <workspace> --org <orgId> [--detach]
  hxb kubeconfig <workspace> [--org <orgId>] [--mode exec|token]   (<workspace>: id or name)
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

/** A workspace by id or by name, in one organization (`--org`) or across the caller's organizations. */
async function resolveWorkspace(
  s: Stored,
  ref: string,
  org?: string,
): Promise<{ orgId: string; wsId: string }> {
  const orgIds = org
    ? [org]
    : (await api<{ items: { id: string }[] }>(s.url, s.token, '/api/v1/organizations?limit=200')).items.map(
        (o) => o.id,
      );
  // An id is one lookup per organization; a name (which may look like an id) needs the lists.
  if (/^ws-[a-z0-9]+$/.test(ref)) {
    for (const orgId of orgIds) {
      const res = await fetch(new URL(`/api/v1/organizations/${orgId}/workspaces/${ref}`, s.url), {
        headers: { authorization: `Bearer ${s.token}` },
      });
      if (res.ok) return { orgId, wsId: ref };
    }
  }
  const found: { orgId: string; wsId: string }[] = [];
  for (const orgId of orgIds) {
    let cursor: string | null = null;
    do {
      const page: { items: { id: string; name: string }[]; nextCursor: string | null } = await api(
        s.url,
        s.token,
        `/api/v1/organizations/${orgId}/workspaces?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      for (const w of page.items) if (w.name === ref) found.push({ orgId, wsId: w.id });
      cursor = page.nextCursor;
    } while (cursor);
  }
  if (found.length === 0) throw new CliError(`no workspace ${ref} among your organizations`, 5);
  if (found.length > 1)
    throw new CliError(
      `${found.length} workspaces are named ${ref} (${found.map((f) => f.wsId).join(', ')}); use the id`,
      2,
    );
  return found[0]!;
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

/** Tokens the CLI minted itself are revoked when it lets go of them; pasted ones belong to the person. */
async function revoke(s: Stored) {
  await api(s.url, s.token, `/auth/tokens/${s.tokenId}`, { method: 'DELETE' }).catch(() => {});
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
      provider: { type: 'string' },
      'no-browser': { type: 'boolean', default: false },
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
    const credential = values.token
      ? { token: values.token }
      : await browserLogin({
          url,
          ...(values.provider ? { provider: values.provider } : {}),
          noBrowser: values['no-browser'] ?? false,
          timeoutMs: 5 * 60_000,
          say: (line) => process.stderr.write(`${line}\n`),
        });
    const me = await api<{ email: string }>(url, credential.token, '/auth/me');
    const previous = readStored(paths);
    const stored: Stored = {
      url,
      token: credential.token,
      ...('id' in credential ? { tokenId: credential.id } : {}),
    };
    writeSecret(paths.config, JSON.stringify(stored), paths.dir);
    rmSync(paths.tokens, { recursive: true, force: true }); // workspace tokens of whoever was signed in before
    if (previous?.tokenId && previous.token !== stored.token) await revoke(previous);
    out.print(`Signed in to ${url} as ${me.email}`, { url, email: me.email });
    return 0;
  }
  if (cmd === 'logout') {
    const previous = readStored(paths);
    if (previous?.tokenId) await revoke(previous);
    rmSync(paths.config, { force: true });
    rmSync(paths.tokens, { recursive: true, force: true });
    out.print(previous ? `Signed out of ${previous.url}` : 'Not signed in', { signedOut: Boolean(previous) });
    return 0;
  }
  const stored = readStored(paths);
  if (!stored) throw new CliError('not signed in: run `hxb login` first', 4);
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
      const { wsId } = await resolveWorkspace(s, arg, values.org);
      const started = await api<{ taskId: string }>(s.url, s.token, `${base}/${wsId}`, { method: 'DELETE' });
      if (!out.json) process.stderr.write(`Deleting workspace ${wsId} (task ${started.taskId})\n`);
      const last = values.detach ? undefined : await follow(s, started.taskId, out);
      out.print(`Workspace ${wsId}: ${last ? 'deleted' : 'deleting'}`, {
        ...started,
        workspaceId: wsId,
        task: last,
      });
      return 0;
    }
  }
  if (cmd === 'kubeconfig' && sub) {
    const { orgId, wsId } = await resolveWorkspace(s, sub, values.org);
    write(
      await api<string>(
        s.url,
        s.token,
        `/api/v1/organizations/${orgId}/workspaces/${wsId}/kubeconfig?mode=${values.mode}`,
      ),
    );
    return 0;
  }
  write(`${USAGE}\n`);
  return 2;
}
