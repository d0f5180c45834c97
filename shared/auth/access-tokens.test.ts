import { describe, expect, it } from 'vitest';
import { createLocalServer } from '../../scripts/local-server';
import { capturedLogger } from '../testing/logs';
import { usePlatform } from '../testing/platform';
import { verifyAccessToken } from './access-tokens';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const forged = (kid: unknown) =>
  `${b64({ alg: 'RS256', typ: 'at+jwt', kid })}.${b64({ sub: 'usr-aaaaaaaaaaaaaaaaaaaa', sid: 'x' })}.AAAA`;

/** Found by the fuzz suite (functions/fuzz.test.ts): the unverified `kid` went straight into a query. */
describe('access tokens whose key id is no key id of ours', () => {
  const platform = usePlatform();
  const kids: [string, unknown][] = [
    ['NUL', '\u0000'],
    ['a key id with NUL', 'key-aaaaaaaaaaaaaaaaaaa\u0000'],
    ['a lone surrogate', '\ud800'],
    ['SQL', "' OR '1'='1"],
    ['a number', 123],
    ['an object', {}],
    ['a huge string', 'k'.repeat(100_000)],
  ];

  it.each(kids)('are refused as invalid (%s)', async (_name, kid) => {
    await expect(verifyAccessToken(platform().auth.auth, forged(kid))).rejects.toMatchObject({
      status: 401,
      code: 'INVALID_TOKEN',
    });
  });

  it('answer 401 problem+json without an error in the log', async () => {
    const { log, lines } = capturedLogger('warn');
    const { fetch } = createLocalServer({ ...platform(), log });
    const res = await fetch(
      new Request('http://localhost/auth/me', { headers: { authorization: `Bearer ${forged('\u0000')}` } }),
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(lines).toEqual([]);
  });
});
