import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invitations, outbox } from '../../shared/db/schema';
import { toCloudEvent } from '../../shared/events/cloudevents';
import { deliverOnce, type Trigger } from '../../shared/events/dispatcher';
import { triggerTable } from '../../shared/events/triggers';
import type { Logger } from '../../shared/log';
import { createMailer, mailSettings } from '../../shared/mail';
import { cancelInvitation, createInvitation } from '../../shared/orgs/invitations';
import { createOrganization } from '../../shared/orgs/organizations';
import type { Platform } from '../../shared/platform';
import { signedInUser } from '../../shared/testing/fixtures';
import { capturedLogger } from '../../shared/testing/logs';
import { acceptLink, startSmtpServer, waitForMail } from '../../shared/testing/mail';
import { usePlatform } from '../../shared/testing/platform';
import { createNotificationsApp } from './app';

const ORIGIN = 'https://hexabase.example.com';
const uniq = () => randomBytes(4).toString('hex');

/** An admin invites `email` to a new organization through the shared verbs; the event is the outbox row's. */
async function invite(p: Platform, email: string, orgName = `Team ${uniq()}`) {
  const admin = await signedInUser(p, { email: `admin-${uniq()}@example.com` });
  const org = await createOrganization(p.orgs, { userId: admin.userId }, { name: orgName });
  const inv = await createInvitation(
    p.orgs,
    { userId: admin.userId },
    { orgId: org.id, email, role: 'admin' },
  );
  const [row] = await p.db.select().from(outbox).where(eq(outbox.subject, inv.id));
  return { admin, orgId: org.id, invitation: inv, event: toCloudEvent(row!) };
}

/** The real dispatcher's verdict on one delivery to the real worker: ack, retry or dead-letter. */
function deliverTo(p: () => Platform, log: () => Logger = () => p().log) {
  const spec = triggerTable.find((t) => t.name === 'notifications-email')!;
  return (event: ReturnType<typeof toCloudEvent>) => {
    const app = createNotificationsApp(
      { db: p().db, orgs: p().orgs, mailer: createMailer(mailSettings(p().env), log()), log: log() },
      { log: log() },
    );
    const trigger: Trigger = { ...spec, deliver: (req) => Promise.resolve(app.fetch(req)) };
    return deliverOnce(trigger, event, 10_000);
  };
}

describe('notifications worker with an SMTP server', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(() => smtp?.close());
  const platform = usePlatform(() => ({ HEXABASE_PUBLIC_URL: ORIGIN, SMTP_URL: smtp.url }));
  const deliver = deliverTo(platform);
  const to = (address: string) => (m: { headers: Record<string, string> }) =>
    m.headers['x-rcptto'] === address;

  it('sends the invitation: organization and inviter in the subject, role, expiry and the accept link', async () => {
    const email = `ada-${uniq()}@example.com`;
    const { admin, invitation, event } = await invite(platform(), email, 'Analytical Engines');
    expect(await deliver(event)).toEqual({ kind: 'ack' });
    const mail = await smtp.waitForMessage(to(email));
    const inviter = admin.email.split('@')[0];
    expect(mail.subject).toBe(`${inviter} invited you to join Analytical Engines on Hexabase`);
    expect(mail.from).toBe('Hexabase <no-reply@hexabase.example.com>');
    expect(mail.text).toContain(`${inviter} (${admin.email}) invited you to join the organization`);
    expect(mail.text).toContain('as an admin');
    expect(mail.text).toContain(`expires on ${invitation.expiresAt.slice(0, 16).replace('T', ' ')} UTC`);
    const link = acceptLink(mail);
    expect(`${link.origin}${link.pathname}`).toBe(`${ORIGIN}/invitations/accept`);
    expect(link.searchParams.get('token')).toMatch(/^hxb_inv_/);
    expect(mail.html).toContain(`href="${link.href.replaceAll('&', '&amp;')}"`);
    expect(mail.defects).toBe(0);
  });

  it('fails so that the dispatcher retries while the SMTP server is down, and delivers once it is back', async () => {
    const email = `bob-${uniq()}@example.com`;
    const { event } = await invite(platform(), email);
    await smtp.stop();
    try {
      const outcome = await deliver(event);
      expect(outcome).toMatchObject({ kind: 'retry' });
      expect((outcome as { error: string }).error).toMatch(/^503 .*MAIL_UNAVAILABLE/);
    } finally {
      await smtp.start();
    }
    expect(await deliver(event)).toEqual({ kind: 'ack' }); // nothing of the failed attempt was kept
    await smtp.waitForMessage(to(email));
  });

  it('fails so that the dispatcher retries when the server defers the recipient (451)', async () => {
    const { event } = await invite(platform(), `deferred-${uniq()}@example.com`);
    expect(await deliver(event)).toMatchObject({ kind: 'retry' });
  });

  it('dead-letters at once when the server refuses the recipient (550), without naming the address', async () => {
    const email = `rejected-${uniq()}@example.com`;
    const { event } = await invite(platform(), email);
    const outcome = await deliver(event);
    expect(outcome).toMatchObject({ kind: 'dead' });
    const error = (outcome as { error: string }).error;
    expect(error).toMatch(/^422 .*MAIL_REJECTED/);
    expect(error).not.toContain(email);
  });

  it('sends nothing for an invitation cancelled before its event arrived', async () => {
    const email = `cy-${uniq()}@example.com`;
    const { admin, orgId, invitation, event } = await invite(platform(), email);
    await cancelInvitation(platform().orgs, { userId: admin.userId }, { orgId, invitationId: invitation.id });
    const before = smtp.received();
    expect(await deliver(event)).toEqual({ kind: 'ack' });
    expect(smtp.received()).toBe(before); // the worker answers only after the server took the message
  });

  it('sends once when the same event is delivered twice', async () => {
    const email = `di-${uniq()}@example.com`;
    const { event } = await invite(platform(), email);
    expect(await deliver(event)).toEqual({ kind: 'ack' });
    const after = smtp.received();
    expect(await deliver(event)).toEqual({ kind: 'ack' });
    expect(smtp.received()).toBe(after);
  });

  it('escapes an organization name containing <script> in the HTML part', async () => {
    const email = `eve-${uniq()}@example.com`;
    const name = '<script>alert("x")</script> & Co';
    const { event } = await invite(platform(), email, name);
    expect(await deliver(event)).toEqual({ kind: 'ack' });
    const mail = await smtp.waitForMessage(to(email));
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(mail.subject).toContain(name); // plain text stays plain
  });
});

describe('notifications worker without SMTP_URL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hexabase-data-'));
  const platform = usePlatform({ HEXABASE_PUBLIC_URL: ORIGIN, HEXABASE_DATA_DIR: dataDir });
  const captured = capturedLogger();
  const deliver = deliverTo(platform, () => captured.log);

  it('writes the invitation as an .eml under <dataDir>/mail and logs its accept link', async () => {
    const email = `fay-${uniq()}@example.com`;
    const { invitation, event } = await invite(platform(), email);
    expect(await deliver(event)).toEqual({ kind: 'ack' });
    const mail = await waitForMail(join(dataDir, 'mail'), (m) => m.to === email);
    expect(mail.file).toMatch(/\.eml$/);
    expect(mail.defects).toBe(0);
    const link = acceptLink(mail);
    const [row] = await platform().db.select().from(invitations).where(eq(invitations.id, invitation.id));
    expect(row!.status).toBe('pending');
    const logged = captured.lines.find((l) => l.file === mail.file);
    expect(logged).toMatchObject({ level: 'info', link: link.href });
    // The address is personal data: it is in the message, never in a log line.
    expect(JSON.stringify(captured.lines)).not.toContain(email);
  });
});
