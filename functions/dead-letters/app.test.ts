import { CloudEvent, HTTP } from 'cloudevents';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { deadLetters } from '../../shared/db/schema';
import { usePlatform } from '../../shared/testing/platform';
import { createDeadLettersApp } from './app';

describe('Knative dead-letter sink', () => {
  const platform = usePlatform();

  it('stores a failed event with the failure Knative reports', async () => {
    const app = createDeadLettersApp(platform(), { log: platform().log });
    const event = new CloudEvent({
      id: 'evt-failed-1',
      type: 'ai.hexabase.notification.email.requested',
      source: '/hexabase/organizations',
      data: { invitationId: 'inv-x' },
      knativeerrorcode: '500',
      knativeerrordest: 'http://hexabase-notifications.hexabase.svc.cluster.local/events',
      knativeerrordata: Buffer.from('worker is broken').toString('base64'),
    });
    const msg = HTTP.binary(event);
    const res = await app.request('/events', {
      method: 'POST',
      headers: msg.headers as Record<string, string>,
      body: msg.body as string,
    });
    expect(res.status).toBe(200);
    const [row] = await platform()
      .db.select()
      .from(deadLetters)
      .where(eq(deadLetters.eventId, 'evt-failed-1'));
    expect(row).toMatchObject({
      type: event.type,
      lastError: '500 worker is broken',
      consumer: expect.stringContaining('hexabase-notifications'),
    });
  });

  it('refuses what is not a CloudEvent with 400', async () => {
    const app = createDeadLettersApp(platform(), { log: platform().log });
    const res = await app.request('/events', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
  });
});
