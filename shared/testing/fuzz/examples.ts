import fc from 'fast-check';
import { forgedJwts } from './headers';
import { raw, splice, spliceDeep } from './hostile';
import { type Body, type DocOperation, EXTRA, FORM, type FuzzRequest, type Text } from './requests';
import {
  type JsonSchema,
  OMIT,
  resolve,
  type SchemaContext,
  type Slot,
  type Tagged,
  validOf,
} from './schema';

/**
 * One-factor-at-a-time examples: every parameter and body field in turn gets NUL, a lone surrogate and the
 * edge value of its kind while everything else is valid. Random runs rarely hit one exact slot with one exact
 * class; these always do, so a fixed-seed `npm test` covers every slot of every operation.
 */
export function singleFactorExamples(op: DocOperation, ctx: SchemaContext, seed: number): FuzzRequest[] {
  const one = <T>(arb: fc.Arbitrary<T>, avoid: (v: T) => boolean = () => false): T =>
    fc.sample(arb, { numRuns: 20, seed }).find((v) => !avoid(v)) ?? fc.sample(arb, { numRuns: 1, seed })[0]!;
  const validText = (schema: JsonSchema, slot: Slot) => String(one(validOf(schema, slot, ctx)));
  const ok = <T>(value: T): Tagged<T> => ({ hostile: false, value });
  const bad = <T>(value: T): Tagged<T> => ({ hostile: true, value });

  const path: Record<string, Tagged<Text>> = {};
  const query: Record<string, Tagged<Text>> = { [EXTRA]: ok(OMIT) };
  for (const p of op.params) {
    const value = p.in === 'path' || p.required ? validText(p.schema, { where: p.in, name: p.name }) : OMIT;
    (p.in === 'path' ? path : query)[p.name] = ok(value);
  }
  const declared = op.bodies[0];
  const bodySchema = declared ? resolve(declared.schema, ctx) : undefined;
  const fields: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(bodySchema?.properties ?? {})) {
    if (bodySchema?.required?.includes(name)) fields[name] = one(validOf(prop, { where: 'body', name }, ctx));
  }
  const body = (f: Record<string, unknown>): Body | undefined =>
    declared
      ? { contentType: declared.contentType, ...(declared.contentType === FORM ? { form: f } : { json: f }) }
      : undefined;
  const base = (): FuzzRequest => ({
    path: { ...path },
    query: { ...query },
    body: ok(body(fields)),
    headers: ok({}),
    callers: ['owner'],
  });

  const out: FuzzRequest[] = [];
  for (const p of op.params) {
    const slot: Slot = { where: p.in, name: p.name };
    const valid = validText(p.schema, slot);
    const s = resolve(p.schema, ctx);
    const values: Text[] = [splice(valid, '\u0000'), raw(`${encodeURIComponent(valid)}%ED%A0%80`)];
    if (p.in === 'query') values.push(edgeText(s, p.name));
    for (const v of values) {
      const r = base();
      (p.in === 'path' ? r.path : r.query)[p.name] = bad(v);
      out.push(r);
    }
  }
  for (const [name, prop] of Object.entries(bodySchema?.properties ?? {})) {
    const valid = one(validOf(prop, { where: 'body', name }, ctx), (v) => v === null || v === OMIT);
    const s = resolve(prop, ctx);
    for (const v of [spliceDeep(valid, '\u0000'), spliceDeep(valid, '\ud800'), edgeJson(s)]) {
      const r = base();
      r.body = bad(body({ ...fields, [name]: v }));
      out.push(r);
    }
  }
  // Credentials: the unverified key id of a forged token, as a bearer token and as the access cookie.
  const credentials: Record<string, string>[] = [
    { authorization: `Bearer ${forgedJwts[0]}` },
    { authorization: '', cookie: `hxb_at=${forgedJwts[1]}` },
  ];
  for (const headers of credentials) {
    out.push({ ...base(), headers: bad(headers) });
  }
  if (op.params.length === 0 && !declared) {
    const r = base();
    r.query[EXTRA] = bad(['x', '\u0000']);
    out.push(r);
  }
  return out;
}

const kind = (s: JsonSchema) => (Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type);

/** The value at the edge of what a query parameter of this kind can hold. */
function edgeText(s: JsonSchema, name: string): string {
  if (name === 'cursor') return Buffer.from(JSON.stringify(['x', 'y'])).toString('base64url');
  if (s.format === 'date-time') return '0000-01-01T00:00:00Z';
  if (kind(s) === 'integer' || kind(s) === 'number') return '1e309';
  if (s.enum) return 'x';
  return '';
}

/** The value at the edge of what a body field of this kind can hold. */
function edgeJson(s: JsonSchema): unknown {
  if (s.format === 'date-time') return '0000-01-01T00:00:00Z';
  if (s.enum) return 'x';
  switch (kind(s)) {
    case 'integer':
    case 'number':
      return 2 ** 53;
    case 'array':
      return [];
    case 'object':
      return {};
    case 'boolean':
      return 'true';
    default:
      return '';
  }
}
