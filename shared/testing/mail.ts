import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, portOpen, Supervisor, waitFor } from './kube/supervisor';

const PYTHON = '/usr/bin/python3';

/**
 * A real SMTP server: Debian's aiosmtpd (installed by scripts/ensure-services.sh) storing into a Maildir, with
 * smtp_mailbox.py refusing `rejected…@` (550) and `deferred…@` (451) recipients. Supervised like the clusters:
 * stopped by `stop()`, killed on exit and by a watchdog if the test runner dies. `start()` again reuses the port.
 */
export async function startSmtpServer() {
  if (!existsSync(PYTHON))
    throw new Error(`${PYTHON} is missing: run scripts/ensure-services.sh (it installs python3-aiosmtpd)`);
  const dir = mkdtempSync(join(tmpdir(), 'hexabase-smtp-'));
  const maildir = join(dir, 'maildir');
  const port = await freePort();
  const supervisor = new Supervisor(dir);
  let child: ReturnType<Supervisor['start']> | undefined;
  const start = async () => {
    const args = [
      '-m',
      'aiosmtpd',
      '-n',
      '-l',
      `127.0.0.1:${port}`,
      '-c',
      'smtp_mailbox.TestMailbox',
      maildir,
    ];
    child = supervisor.start('aiosmtpd', PYTHON, args, {
      PYTHONPATH: import.meta.dirname,
      PYTHONDONTWRITEBYTECODE: '1', // no __pycache__ in the source tree
    });
    const started = child;
    await waitFor('aiosmtpd', async () => ((await portOpen(port)) ? true : undefined), {
      timeoutMs: 15_000,
      failed: () =>
        started.exitCode !== null
          ? `exited ${started.exitCode} (is python3-aiosmtpd installed? scripts/ensure-services.sh installs it)\n${supervisor.logTail('aiosmtpd')}`
          : undefined,
    });
  };
  await start();
  return {
    url: `smtp://127.0.0.1:${port}`,
    start,
    stop: async () => {
      if (child) await supervisor.stop(child);
    },
    close: () => supervisor.stopAll(),
    /** Resolves with the first received message that `match` accepts (polls the Maildir; no fixed sleeps). */
    waitForMessage: (match: (m: ParsedMail) => boolean = () => true, timeoutMs = 20_000) =>
      waitForMail(join(maildir, 'new'), match, timeoutMs),
    received: () => mailFiles(join(maildir, 'new')).length,
  };
}

export type ParsedMail = {
  file: string;
  from: string;
  to: string;
  subject: string;
  headers: Record<string, string>;
  text: string | null;
  html: string | null;
  /** Problems Python's parser found in the message's structure; a well-formed message has none. */
  defects: number;
};

// Python's email package (policy.default: RFC 5322 + MIME, encoded words and transfer encodings decoded) reads
// the message, so the tests check what another program makes of it rather than what we meant to write.
const PARSE = `
import email, email.policy, json, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
def body(kind):
    p = m.get_body(preferencelist=(kind,))
    return None if p is None else p.get_content()
defects = len(m.defects) + sum(len(p.defects) for p in m.walk())
print(json.dumps({'headers': {k.lower(): str(v) for k, v in m.items()},
  'text': body('plain'), 'html': body('html'), 'defects': defects}))
`;

export async function readMail(file: string): Promise<ParsedMail> {
  const { stdout } = await promisify(execFile)(PYTHON, ['-c', PARSE, file]);
  const parsed = JSON.parse(stdout) as Omit<ParsedMail, 'file' | 'from' | 'to' | 'subject'>;
  const h = parsed.headers;
  return { file, from: h.from ?? '', to: h.to ?? '', subject: h.subject ?? '', ...parsed };
}

const mailFiles = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => !f.startsWith('.'))
        .sort()
        .map((f) => join(dir, f))
    : [];

/** Polls `dir` (a Maildir's new/ or an .eml folder) until a message matches. */
export function waitForMail(dir: string, match: (m: ParsedMail) => boolean = () => true, timeoutMs = 20_000) {
  return waitFor(
    `an email in ${dir}`,
    async () => {
      for (const file of mailFiles(dir)) {
        const m = await readMail(file);
        if (match(m)) return m;
      }
      return undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** The first link to the invitation page in a message's text: what a reader would click. */
export function acceptLink(m: ParsedMail): URL {
  const found = m.text?.match(/https?:\/\/\S+\/invitations\/accept\?token=\S+/);
  if (!found) throw new Error(`no invitation link in:\n${m.text}`);
  return new URL(found[0]);
}
