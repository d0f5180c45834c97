export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** One Hexabase API call; problem+json errors become one readable line. */
export async function api<T>(
  url: string,
  token: string | undefined,
  path: string,
  init: RequestInit = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(new URL(path, url), {
      ...init,
      headers: {
        accept: 'application/json',
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(init.headers as Record<string, string>),
      },
    });
  } catch (err) {
    throw new CliError(`cannot reach ${url}: ${(err as Error).message}`, 3);
  }
  const text = await res.text();
  if (!res.ok) {
    let detail = text;
    try {
      const p = JSON.parse(text) as { detail?: string; code?: string; error_description?: string };
      detail = p.detail ? `${p.detail} (${p.code})` : (p.error_description ?? text);
    } catch {}
    throw new CliError(`${res.status}: ${detail}`, res.status === 401 ? 4 : res.status === 404 ? 5 : 1);
  }
  return (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T;
}
