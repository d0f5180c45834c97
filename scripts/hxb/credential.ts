import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api } from './api';
import { type Paths, type Stored, writeSecret } from './config';

type Cached = { token: string; expiresAt: string };

/**
 * The kubectl exec credential plugin: an ExecCredential with a workspace ID token, cached under
 * ~/.hexabase/tokens and exchanged again a minute before it expires.
 */
export async function kubectlCredential(stored: Stored, paths: Paths, wsId: string, now = Date.now()) {
  const file = join(paths.tokens, `${wsId}.json`);
  let cached: Cached | undefined = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Cached)
    : undefined;
  if (!cached || new Date(cached.expiresAt).getTime() - now < 60_000) {
    const res = await api<{ access_token: string; expires_in: number }>(
      stored.url,
      undefined,
      `/oidc/${wsId}/token`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token: stored.token,
          subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        }).toString(),
      },
    );
    cached = { token: res.access_token, expiresAt: new Date(now + res.expires_in * 1000).toISOString() };
    writeSecret(file, JSON.stringify(cached), paths.tokens);
  }
  return {
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token: cached.token, expirationTimestamp: cached.expiresAt },
  };
}
