import { createServer } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { referencePage } from '../functions/docs/reference-page';

// The load benchmark's floors: the bare server Hexabase runs on (`node`: node:http alone) and the bare framework
// on it (`hono`: Hono on @hono/node-server), with nothing of Hexabase: an 11-byte text answer on every path. The
// Hono floor also serves the API reference page as Hexabase does (same bytes and headers), the floor of that route.
const [port, kind = 'hono'] = process.argv.slice(2);
if (kind === 'node') {
  createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8', 'content-length': 11 });
    res.end('Hello Node!');
  }).listen(Number(port), '127.0.0.1');
} else {
  const page = referencePage('/api/v1/openapi.json');
  const html = new TextEncoder().encode(page.html);
  const headers = {
    'content-type': 'text/html; charset=UTF-8',
    'content-security-policy': page.csp,
    'x-frame-options': 'DENY',
  };
  const app = new Hono()
    .get('/api/v1/docs', (c) => c.body(html, 200, headers))
    .get('*', (c) => c.text('Hello Hono!'));
  serve({ fetch: app.fetch, port: Number(port), hostname: '127.0.0.1' });
}
