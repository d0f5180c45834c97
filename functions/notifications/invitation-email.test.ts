import { randomBytes } from 'node:crypto';
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../scripts/local-server';
import { deadLetters } from '../../shared/db/schema';
import { type Backbone, startEventBackbone } from '../../shared/events/backbone';
import { createBrowser, hiddenFields } from '../../shared/testing/browser';
import { signedInUser } from '../../shared/testing/fixtures';
import { json } from '../../shared/testing/http';
import { waitFor } from '../../shared/testing/kube/supervisor';
import { acceptLink, startSmtpServer } from '../../shared/testing/mail';
import { usePlatform } from '../../shared/testing/platform';

const ORIGIN = 'http://localhost:8080';
const uniq = () => randomBytes(4).toString('hex');

/**
 * The whole way, as `npm start` wires it: the API writes the invitation and its outbox row, the relay and the
 * dispatcher hand the event to the notifications worker, which sends through a real SMTP server; the person
 * follows the received link in a browser, signs in and accepts.
 */
describe('invitation email, end to end', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(() => smtp?.close());
  const platform = usePlatform(() => ({
    HEXABASE_PUBLIC_URL: ORIGIN,
    HEXABASE_DEV_LOGIN: 'true',
    HEXABASE_TRUST_PROXY: 'true',
    SMTP_URL: smtp.url,
    // The in-process dispatcher: this file's events reach only this file's workers.
    NATS_URL: '',
  }));
  // Served and wired as `npm start` does (relay, dispatcher, workers), once the platform exists.
  describe('served like npm start', () => {
    let server: ReturnType<typeof createLocalServer>;
    let backbone: Backbone;
    beforeAll(async () => {
      server = createLocalServer(platform());
      backbone = await startEventBackbone(platform(), { deliver: server.deliver, registry: server.registry });
    });
    afterAll(() => backbone?.stop());

    const call = (path: string, init: RequestInit = {}) =>
      server.fetch(new Request(new URL(path, ORIGIN), init));
    /** An org admin invites through the API, as the console or `curl` would. */
    const inviteThroughApi = async (email: string) => {
      const admin = await signedInUser(platform());
      const auth = { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' };
      const org = await json(
        await call('/api/v1/organizations', {
          method: 'POST',
          headers: auth,
          body: '{"name":"Lovelace Labs"}',
        }),
      );
      const res = await call(`/api/v1/organizations/${org.id}/users`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ email, role: 'member' }),
      });
      expect(res.status).toBe(201);
      expect(await res.text()).not.toContain('hxb_inv_'); // the token travels by email only
      return { orgId: org.id as string };
    };

    it('an invited person receives the email, follows its link, signs in and joins the organization', async () => {
      const email = `newcomer-${uniq()}@example.com`;
      const { orgId } = await inviteThroughApi(email);

      const mail = await smtp.waitForMessage((m) => m.headers['x-rcptto'] === email);
      expect(mail.subject).toMatch(/invited you to join Lovelace Labs on Hexabase$/);
      const link = acceptLink(mail);

      const b = createBrowser({
        app: { request: (path, init) => call(path, init) },
        appOrigin: ORIGIN,
        external: fetch,
      });
      const { res: signIn } = await b.follow(link);
      expect(signIn?.status).toBe(200);
      const signedIn = await b.submit('/auth/login/dev', { ...hiddenFields(await signIn!.text()), email });
      expect(signedIn.status).toBe(303);
      expect(signedIn.headers.get('location')).toBe(`${link.pathname}${link.search}`);

      const { res: invitation } = await b.follow(signedIn.headers.get('location')!);
      expect(invitation?.status).toBe(200);
      const page = await invitation!.text();
      expect(page).toContain('Join Lovelace Labs?');
      const accepted = await b.submit('/invitations/accept', { ...hiddenFields(page), decision: 'accept' });
      expect(accepted.status).toBe(200);
      expect(await accepted.text()).toContain('You joined Lovelace Labs');

      const me = await json(await b.send(new URL('/auth/me', ORIGIN)));
      expect(me.email).toBe(email);
      expect(me.organizations).toContainEqual({ id: orgId, name: 'Lovelace Labs', role: 'member' });
    });

    it('retries with backoff while the SMTP server is down and delivers once it is back', async () => {
      const retried = async () =>
        (await server.registry.getSingleMetric('hexabase_events_retried_total')?.get())?.values.find(
          (v) => v.labels.consumer === 'notifications-email',
        )?.value ?? 0;
      const before = await retried();
      const email = `patient-${uniq()}@example.com`;
      await smtp.stop();
      try {
        await inviteThroughApi(email);
        await waitFor('a retried delivery', async () => ((await retried()) > before ? true : undefined), {
          timeoutMs: 15_000,
        });
      } finally {
        await smtp.start();
      }
      await smtp.waitForMessage((m) => m.headers['x-rcptto'] === email);
      const [dead] = await platform().db.select({ n: count() }).from(deadLetters);
      expect(dead!.n).toBe(0);
    });
  });
});
