import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../scripts/local-server';
import { capturedLogger } from '../testing/logs';
import { usePlatform } from '../testing/platform';
import { createApp } from './app';
import { listen, type Served } from './serve';

/** A request body that never ends: only a server that counts while reading can answer it. */
function endlessUpload(port: number, path: string, contentType: string) {
  return new Promise<{ status: number; type: string; body: string; sent: number }>((resolve, reject) => {
    let sent = 0;
    const req = request({ port, path, method: 'POST', headers: { 'content-type': contentType } }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => {
        clearInterval(pump);
        resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body, sent });
      });
    });
    const chunk = Buffer.alloc(64 * 1024, contentType.includes('json') ? ' ' : 'a');
    req.write(contentType.includes('json') ? '{"name":"' : 'email=');
    // Keep writing until the answer comes; the server must not wait for an end that never arrives.
    const pump = setInterval(() => {
      if (req.writable && req.writableLength < 1 << 20) {
        req.write(chunk);
        sent += chunk.length;
      }
    }, 1);
    req.on('error', (err) => {
      // The server may close the connection right after answering while we are still writing.
      if (
        (err as NodeJS.ErrnoException).code !== 'EPIPE' &&
        (err as NodeJS.ErrnoException).code !== 'ECONNRESET'
      )
        reject(err);
    });
  });
}

describe('limits at the edge', () => {
  const platform = usePlatform({ HEXABASE_DEV_LOGIN: 'true' });
  let served: Served;
  beforeAll(async () => {
    served = await listen(createLocalServer(platform()).fetch, { port: 0, host: '127.0.0.1' });
  });
  afterAll(() => served?.close());

  it('answers 413 to an endless chunked form before the client stops sending (unauthenticated dev sign-in)', async () => {
    const r = await endlessUpload(served.port, '/auth/login/dev', 'application/x-www-form-urlencoded');
    expect(r.status).toBe(413);
    expect(r.type).toBe('application/problem+json');
    expect(JSON.parse(r.body).code).toBe('PAYLOAD_TOO_LARGE');
    expect(r.sent).toBeLessThan(64 << 20); // it stopped reading near the 1 MiB limit, not at the client's whim
  });

  it('answers 413 to an endless chunked JSON body on an authenticated route', async () => {
    const r = await endlessUpload(served.port, '/api/v1/organizations', 'application/json');
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 431 as problem+json to headers over the limit', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(served.port, '127.0.0.1', () => {
        socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
      });
      let data = '';
      socket.on('data', (c) => {
        data += c;
      });
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    expect(raw).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({
      status: 431,
      code: 'HEADERS_TOO_LARGE',
    });
  });

  it('serves the API reference with hashed script and style, no unsafe-inline, and no framing', async () => {
    const res = await fetch(`http://127.0.0.1:${served.port}/api/v1/docs`);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await res.text();
    const hash = (tag: string) => {
      const body = html.slice(html.indexOf(`<${tag}>`) + tag.length + 2, html.indexOf(`</${tag}>`));
      return `'sha256-${createHash('sha256').update(body).digest('base64')}'`;
    };
    expect(csp).toContain(`script-src ${hash('script')}`);
    expect(csp).toContain(`style-src ${hash('style')}`);
    expect(html).not.toMatch(/ style="/);
  });
});

describe('database errors in logs and answers', () => {
  const platform = usePlatform();

  it('logs a failed statement by SQLSTATE and shape, never its parameters, emails or addresses', async () => {
    const { log, lines } = capturedLogger();
    const app = createApp({ name: 'test', log });
    app.get('/fail', async () => {
      // A not-null violation carrying an email and an address as parameters.
      await platform().db.execute(
        sql`insert into users (id, email, display_name) values (${null}, ${'secret.person@example.com'}, ${'from 203.0.113.9'})`,
      );
      return new Response('never');
    });
    const res = await app.request('/fail');
    expect(res.status).toBe(500);
    const text = JSON.stringify(lines);
    expect(text).not.toContain('secret.person@example.com');
    expect(text).not.toContain('203.0.113.9');
    const entry = lines.find((l) => l.msg === 'unhandled error')!;
    expect(entry.err).toMatchObject({ type: 'DatabaseError', code: '23502' });
    expect((entry.err as { query: string }).query).toMatch(/insert into users .* values \(\$1, \$2, \$3\)/);
    expect(entry.err).not.toHaveProperty('params');
  });

  it('answers 400 INVALID_VALUE, not 500, when the database refuses a value validation let through', async () => {
    const { log, lines } = capturedLogger();
    const app = createApp({ name: 'test', log });
    app.get('/nul', async () => {
      await platform().db.execute(sql`select ${'a\u0000b'}::text`);
      return new Response('never');
    });
    const res = await app.request('/nul');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('INVALID_VALUE');
    expect(
      lines.some((l) => l.level === 'warn' && (l.err as { code?: string })?.code?.startsWith('22')),
    ).toBe(true);
  });
});
