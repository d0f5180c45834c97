import { readFileSync } from 'node:fs';

export type Fetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * fetch that also trusts a private CA (self-hosted identity providers, tests); the global fetch otherwise.
 * Node's fetch takes no CA option, and the undici package that would add one doubles a function bundle,
 * so requests to such providers go through node:https, answered as a standard Response.
 */
export function providerFetch(caFile: string | undefined, timeoutMs = 10_000): Fetch {
  if (!caFile)
    return (url, init) => fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
  const ca = readFileSync(caFile, 'utf8');
  return async (url, init = {}) => {
    // Loaded here, not at start: every function builds the providers, few ever call one.
    const { request } = await import('node:https');
    const target = new URL(url);
    const body = init.body === undefined || init.body === null ? undefined : String(init.body);
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    return new Promise<Response>((resolve, reject) => {
      const req = request(
        target,
        { method: init.method ?? 'GET', headers, ca, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const h = new Headers();
            // Set-Cookie must stay separate values; everything else folds into one line.
            for (const [k, v] of Object.entries(res.headers))
              for (const value of Array.isArray(v) ? v : v === undefined ? [] : [v]) h.append(k, value);
            const status = res.statusCode ?? 502;
            const nullBody = status === 204 || status === 304;
            resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers: h }));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`request to ${target.origin} timed out`)));
      req.on('error', reject);
      init.signal?.addEventListener('abort', () => req.destroy(new Error('aborted')));
      req.end(body);
    });
  };
}
