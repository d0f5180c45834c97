import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../env';
import { capturedLogger } from '../testing/logs';
import { readMail, startSmtpServer } from '../testing/mail';
import { createMailer, MailRejectedError, MailUnavailableError, mailSettings } from '.';

const message = (to: string) => ({
  to,
  subject: 'Ünïcode & <angle> subject',
  text: 'Open https://hexabase.example.com/invitations/accept?token=hxb_inv_abc to continue.\n',
  html: '<p>Open the <a href="https://hexabase.example.com/invitations/accept?token=hxb_inv_abc">link</a>.</p>',
  link: 'https://hexabase.example.com/invitations/accept?token=hxb_inv_abc',
});

describe('mail settings', () => {
  it('defaults the sender to no-reply at the public host and the folder to <dataDir>/mail', () => {
    const s = mailSettings(
      parseEnv({ HEXABASE_PUBLIC_URL: 'https://hexabase.example.com', HEXABASE_DATA_DIR: '/data' }),
    );
    expect(s).toEqual({
      from: 'Hexabase <no-reply@hexabase.example.com>',
      dir: '/data/mail',
      logLinks: true,
    });
  });

  it('refuses an SMTP_URL that is not smtp:// or smtps://, and a MAIL_FROM without an address', () => {
    expect(() => parseEnv({ SMTP_URL: 'http://mail.example.com' })).toThrow(/SMTP_URL: expected an SMTP URL/);
    expect(() => parseEnv({ SMTP_URL: 'smtp://' })).toThrow(/SMTP_URL/);
    expect(() => parseEnv({ MAIL_FROM: 'Hexabase' })).toThrow(/MAIL_FROM: expected a sender address/);
    const env = parseEnv({
      SMTP_URL: 'smtps://u:p@mail.example.com:465',
      MAIL_FROM: 'Ops <ops@example.com>',
    });
    expect(mailSettings(env)).toMatchObject({
      smtpUrl: 'smtps://u:p@mail.example.com:465',
      from: 'Ops <ops@example.com>',
    });
  });
});

describe('mailer without SMTP_URL (local .eml files)', () => {
  it('writes a parseable RFC 822 message into <dataDir>/mail/ and logs its link', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hexabase-mail-'));
    const { log, lines } = capturedLogger();
    const mailer = createMailer(mailSettings(parseEnv({ HEXABASE_DATA_DIR: dataDir })), log);
    expect(mailer.kind).toBe('file');
    const sent = await mailer.send(message('ada@example.com'));
    const files = readdirSync(join(dataDir, 'mail'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    expect(sent.file).toBe(join(dataDir, 'mail', files[0]!));
    expect(statSync(sent.file!).mode & 0o777).toBe(0o600); // it holds a sign-in link
    const mail = await readMail(sent.file!);
    expect(mail.defects).toBe(0);
    expect(mail).toMatchObject({
      from: 'Hexabase <no-reply@localhost>',
      to: 'ada@example.com',
      subject: 'Ünïcode & <angle> subject',
    });
    expect(mail.headers['auto-submitted']).toBe('auto-generated');
    expect(mail.text).toContain('accept?token=hxb_inv_abc');
    expect(mail.html).toContain(
      '<a href="https://hexabase.example.com/invitations/accept?token=hxb_inv_abc">',
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'info', file: sent.file, link: message('').link }),
    );
    expect(JSON.stringify(lines)).not.toContain('ada@example.com');
  });

  it('keeps the link out of production logs', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hexabase-mail-'));
    const { log, lines } = capturedLogger();
    // Only NODE_ENV matters here; production's other required settings are not this test's subject.
    const env = { ...parseEnv({ HEXABASE_DATA_DIR: dataDir }), NODE_ENV: 'production' as const };
    await createMailer(mailSettings(env), log).send(message('ada@example.com'));
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain('hxb_inv_abc');
  });
});

describe('mailer with SMTP_URL (a real aiosmtpd)', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(() => smtp?.close());
  const mailer = () =>
    createMailer(mailSettings(parseEnv({ SMTP_URL: smtp.url })), capturedLogger('silent').log);

  it('delivers the message to the server', async () => {
    await mailer().send(message('bea@example.com'));
    const mail = await smtp.waitForMessage((m) => m.to === 'bea@example.com');
    expect(mail.headers['x-rcptto']).toBe('bea@example.com');
    expect(mail.subject).toBe('Ünïcode & <angle> subject');
    expect(mail.defects).toBe(0);
  });

  it('reports a refused recipient (550) as permanent, naming the reply code but not the address', async () => {
    const err = await mailer()
      .send(message('rejected-cy@example.com'))
      .catch((e) => e);
    expect(err).toBeInstanceOf(MailRejectedError);
    expect(err).toMatchObject({ status: 422, code: 'MAIL_REJECTED' });
    expect(err.detail).toContain('550 at RCPT TO');
    expect(err.detail).not.toContain('rejected-cy');
  });

  it('reports a deferred recipient (451) and an unreachable server as worth retrying', async () => {
    const deferred = await mailer()
      .send(message('deferred-di@example.com'))
      .catch((e) => e);
    expect(deferred).toBeInstanceOf(MailUnavailableError);
    expect(deferred).toMatchObject({ status: 503, code: 'MAIL_UNAVAILABLE' });
    await smtp.stop();
    try {
      const down = await mailer()
        .send(message('eve@example.com'))
        .catch((e) => e);
      expect(down).toBeInstanceOf(MailUnavailableError);
      expect(down.detail).toContain('ESOCKET');
    } finally {
      await smtp.start();
    }
  });
});
