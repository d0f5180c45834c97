import { serve } from '@hono/node-server';
import { Hono } from 'hono';

// The load benchmark's baseline: the bare framework and server Hexabase runs on, with nothing of Hexabase.
const app = new Hono().get('/', (c) => c.text('Hello Hono!')).get('/healthz', (c) => c.text('ok'));
serve({ fetch: app.fetch, port: Number(process.argv[2]), hostname: '127.0.0.1' });
