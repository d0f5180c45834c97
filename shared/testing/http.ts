/** Tests assert on response shapes with matchers; a loose type keeps them readable. */
// biome-ignore lint/suspicious/noExplicitAny: test-only convenience for asserting on JSON bodies.
export type Json = any;

export async function json(res: Response): Promise<Json> {
  return res.json();
}

type RequestApp = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

/** Calls an app as a signed-in user: bearer token, JSON body when given, extra headers. */
export function bearerCaller(app: (path: string) => RequestApp) {
  return async (
    token: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app(path).request(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
}
