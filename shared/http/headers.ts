import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Context } from 'hono';

/**
 * What @hono/node-server passes as the app's env: the Node request the app's Request stands for, and the response
 * it will be written to. Absent when an app is called directly (`app.request`, in-process event delivery).
 */
type NodeBindings = {
  incoming?: IncomingMessage | Http2ServerRequest;
  outgoing?: ServerResponse | Http2ServerResponse;
};

const node = (c: Context): NodeBindings | undefined => c.env as NodeBindings | undefined;

/** HTTP whitespace at either end, which the Fetch API strips from header values. */
const OUTER_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/**
 * One request header, exactly as `c.req.header(name)` returns it (`name` in lower case). Under Node it is read
 * from the raw header list: node-server builds the Request's `Headers` (about 4 µs, more for a browser's dozen
 * headers) only when something asks for it, and most requests need no header but these few. Repeated headers
 * are joined as the Fetch API joins them (`; ` for cookies, `, ` otherwise), not as Node's `headers` object
 * does (it keeps the first Authorization), so both ways give the same answer.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const raw = node(c)?.incoming?.rawHeaders;
  if (!raw) return c.req.header(name);
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.length !== name.length || key.toLowerCase() !== name) continue;
    const v = raw[i + 1]!.replace(OUTER_WHITESPACE, '');
    value = value === undefined ? v : `${value}${name === 'cookie' ? '; ' : ', '}${v}`;
  }
  return value;
}

/**
 * The Node response this request will be written to, or undefined when the app is called directly
 * (`app.request`, in-process event delivery). Headers set on it before the handler runs are sent with whatever
 * Response the app returns, and that Response's own headers are written over them.
 */
export function nodeResponse(c: Context): ServerResponse | Http2ServerResponse | undefined {
  return node(c)?.outgoing;
}
