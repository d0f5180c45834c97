import fc from 'fast-check';
import { CROSS, type Tagged } from './hostile';

/** Where a route reads the caller's own token; rendering puts the caller's token (or nothing) in its place. */
export const CALLER_TOKEN = '$CALLER_TOKEN';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const claims = {
  sub: 'usr-aaaaaaaaaaaaaaaaaaaa',
  sid: 'ses-aaaaaaaaaaaaaaaaaaaa',
  exp: 4_102_444_800,
  iat: 0,
};

/**
 * JWTs a verifier must refuse before it trusts anything in them: the key id is read from the unverified header
 * and looked up in the database, so it is the one part an attacker fully controls.
 */
export const forgedJwts = [
  ...[
    '\u0000',
    'key-\u0000',
    '\ud800',
    "' OR '1'='1",
    'x'.repeat(5000),
    '',
    '../../keys',
    123,
    null,
    {},
    [],
    true,
  ].map((kid) => `${b64({ alg: 'RS256', typ: 'at+jwt', kid })}.${b64(claims)}.AAAA`),
  `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.`,
  `${b64({ alg: 'HS256', typ: 'at+jwt', kid: 'key-aaaaaaaaaaaaaaaaaaaa' })}.${b64(claims)}.AAAA`,
  `${b64({ alg: 'RS256', crit: ['x'], kid: 'k' })}.${b64({ ...claims, sub: '\u0000' })}.AAAA`,
  `${b64({ alg: 'RS256' })}.!!!.AAAA`,
  'a.b.c',
  '...',
];

/** Header values only: no NUL, CR or LF (fetch refuses them) and nothing above U+00FF (not a byte string). */
const authorizations = [
  'Bearer',
  'Bearer ',
  'Bearer x',
  'Basic YWRtaW46YWRtaW4=',
  `Bearer ${'a'.repeat(10_000)}`,
  'Bearer hxb_pat_',
  `Bearer hxb_pat_${'a'.repeat(43)}`,
  'Bearer hxb_pat_\u00ff\u00fe',
  `Bearer ${CALLER_TOKEN}x`,
  `Bearer x${CALLER_TOKEN}`,
  `Bearer ${CALLER_TOKEN} ${CALLER_TOKEN}`,
  `bearer ${CALLER_TOKEN}`,
  `Bearer  ${CALLER_TOKEN}`,
  'Bearer %00',
  'Bearer \u00e9',
  ...forgedJwts.map((t) => `Bearer ${t}`),
];

const cookies = [
  ...forgedJwts.slice(0, 4).map((t) => `hxb_at=${t}`),
  `hxb_at=${CALLER_TOKEN}`,
  'hxb_at=%00',
  'hxb_at="',
  'hxb_rt=x; hxb_csrf=x',
  `hxb_at=${'a'.repeat(10_000)}`,
  'hxb_session=x',
  ';;;=;',
];

const idempotencyKeys = [
  '',
  ' ',
  '\u00e9',
  'x'.repeat(256),
  '\u00ff',
  '"quoted"',
  'fuzz-key-1',
  'fuzz-key-1',
];
const forwardedFor = [
  'unknown',
  '',
  '\u00e9\u00ff',
  'x'.repeat(5000),
  '1.1.1.1, 2.2.2.2',
  '::1',
  '[::1]:80',
  '999.999.1.1',
];
const requestIds = ['', 'x'.repeat(300), '\u00e9', '../x', "'; --"];

/**
 * Hostile headers, one kind at a time, derived from what the document declares (bearer and cookie security
 * schemes) and what CONTRACT adds (Idempotency-Key); X-Forwarded-For and X-Request-Id end up in the audit log.
 */
export const hostileHeaders: fc.Arbitrary<Tagged<Record<string, string>>> = fc.oneof(
  CROSS,
  { weight: 12, arbitrary: fc.constant({ hostile: false, value: {} }) },
  { weight: 3, arbitrary: bad(authorizations, (a) => ({ authorization: a })) },
  // An empty authorization drops the caller's bearer token, so the cookie is what authenticates.
  { weight: 1, arbitrary: bad(cookies, (c) => ({ authorization: '', cookie: c })) },
  { weight: 1, arbitrary: bad(idempotencyKeys, (k) => ({ 'idempotency-key': k })) },
  { weight: 1, arbitrary: bad(forwardedFor, (f) => ({ 'x-forwarded-for': f })) },
  { weight: 1, arbitrary: bad(requestIds, (r) => ({ 'x-request-id': r })) },
);

function bad(values: string[], header: (v: string) => Record<string, string>) {
  return fc.constantFrom(...values).map((v) => ({ hostile: true, value: header(v) }));
}
