import fc from 'fast-check';
import { forgedJwts } from './headers';
import {
  anyCodeUnits,
  CROSS,
  cursors,
  edgeDates,
  edgeNumbers,
  hugeStrings,
  injections,
  numberLike,
  type Raw,
  raw,
  rawEncodings,
  spliced,
  wrongTypes,
} from './hostile';

/** The part of JSON Schema (as @hono/zod-openapi writes it into the OpenAPI 3.1 document) the fuzzer reads. */
export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  example?: unknown;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
};

/** Where a value goes; valid values from the fixture depend on it (a path `userId` is not a body `userId`). */
export type Slot = { where: 'path' | 'query' | 'body'; name: string };

export type SchemaContext = {
  components: Record<string, JsonSchema>;
  /** A real value from the fixture for this slot, so the rest of the request gets past the first check. */
  valid: (slot: Slot) => fc.Arbitrary<unknown> | undefined;
  /** Real ids of other kinds (an org id where a workspace id belongs): well-formed, wrong table. */
  foreignIds: string[];
};

/** A value and whether the fuzzer meant it to be rejected; a request needs at least one hostile part. */
import type { Tagged } from './hostile';

export type { Tagged };

/** A property left out of an object or a parameter left out of the URL. */
export const OMIT = Symbol('omitted');
/** The slot of a body property no schema declares (its name is part of the generated value). */
const UNDECLARED = '\u0000undeclared';

export function resolve(schema: JsonSchema, ctx: SchemaContext): JsonSchema {
  if (schema.$ref) return resolve(ctx.components[schema.$ref.split('/').at(-1)!] ?? {}, ctx);
  if (schema.allOf) {
    // zod-openapi writes `nullable()` over a component as allOf [$ref, {type: [object, null]}].
    const parts = schema.allOf.map((s) => resolve(s, ctx));
    const nullable = parts.some((p) => Array.isArray(p.type) && p.type.includes('null'));
    const merged = Object.assign({}, ...parts.filter((p) => p.properties || !p.type), parts[0]);
    return { ...merged, type: nullable ? [typeOf(merged) ?? 'object', 'null'] : typeOf(merged) };
  }
  if (schema.anyOf ?? schema.oneOf) return resolve((schema.anyOf ?? schema.oneOf)![0]!, ctx);
  return schema;
}

function typeOf(s: JsonSchema): string | undefined {
  const t = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
  return t ?? (s.properties ? 'object' : s.enum ? 'string' : undefined);
}

const isNullable = (s: JsonSchema) => Array.isArray(s.type) && s.type.includes('null');

/** A value the schema accepts, preferring what the fixture offers for this slot. */
export function validOf(schema: JsonSchema, slot: Slot, ctx: SchemaContext): fc.Arbitrary<unknown> {
  const fromFixture = ctx.valid(slot);
  if (fromFixture) return fromFixture;
  const s = resolve(schema, ctx);
  if (s.enum) return fc.constantFrom(...s.enum);
  switch (typeOf(s)) {
    case 'string':
      if (s.format === 'email') return fc.constant('fuzz@example.com');
      if (s.format === 'date-time') return fc.constant(new Date(Date.now() + 86_400_000).toISOString());
      if (s.pattern) return fc.stringMatching(new RegExp(s.pattern), { size: 'xsmall' });
      return fc.string({
        unit: 'grapheme-ascii',
        minLength: s.minLength ?? 0,
        maxLength: Math.max(s.minLength ?? 0, Math.min(s.maxLength ?? 16, 16)),
      });
    case 'integer':
    case 'number':
      return fc.integer({ min: s.minimum ?? 0, max: Math.min(s.maximum ?? 100, (s.minimum ?? 0) + 100) });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validOf(s.items ?? {}, slot, ctx), {
        minLength: s.minItems ?? 0,
        maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 2, 2)),
      });
    case 'object':
      return objectOf(s, ctx).map((o) => o.value);
    default:
      return fc.constant('x');
  }
}

/**
 * Hostile strings, one class at a time with equal chances (so NUL is as likely as all injections together):
 * each class broke, or could break, something real; see hostile.ts.
 */
function hostileStrings(s: JsonSchema, slot: Slot, ctx: SchemaContext): fc.Arbitrary<string> {
  const valid = validOf(s, slot, ctx).map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? '')));
  const arbs: fc.WeightedArbitrary<string>[] = [
    { weight: 3, arbitrary: fc.oneof(spliced(valid, ['\u0000']), fc.constant('\u0000')) },
    { weight: 3, arbitrary: fc.oneof(spliced(valid, ['\ud800', '\udfff']), fc.constant('a\ud800b')) },
    { weight: 2, arbitrary: spliced(valid) },
    { weight: 1, arbitrary: fc.constantFrom(...injections) },
    { weight: 1, arbitrary: hugeStrings(s.maxLength) },
    { weight: 1, arbitrary: anyCodeUnits },
    { weight: 2, arbitrary: fc.constantFrom('', ' ', '\t') },
    { weight: 1, arbitrary: fc.constantFrom(...numberLike) },
    { weight: 1, arbitrary: fc.constantFrom(...forgedJwts) },
    { weight: s.format === 'date-time' ? 8 : 1, arbitrary: fc.constantFrom(...edgeDates) },
  ];
  if (slot.name === 'cursor') arbs.push({ weight: 10, arbitrary: fc.constantFrom(...cursors) });
  if (ctx.foreignIds.length > 0) arbs.push({ weight: 2, arbitrary: fc.constantFrom(...ctx.foreignIds) });
  return fc.oneof(...arbs);
}

/** A JSON value the schema should refuse (or that reaches code which must cope with it). */
export function hostileOf(schema: JsonSchema, slot: Slot, ctx: SchemaContext): fc.Arbitrary<unknown> {
  const s = resolve(schema, ctx);
  const base: fc.Arbitrary<unknown>[] = [wrongTypes];
  if (!isNullable(s)) base.push(fc.constant(null));
  switch (typeOf(s)) {
    case 'string':
      return fc.oneof({ weight: 6, arbitrary: hostileStrings(s, slot, ctx) }, ...base);
    case 'integer':
    case 'number': {
      const edges = [...edgeNumbers, (s.minimum ?? 0) - 1, (s.maximum ?? 2 ** 53) + 1];
      return fc.oneof(fc.constantFrom(...edges), fc.constantFrom(...numberLike), ...base);
    }
    case 'array': {
      const item = s.items ?? {};
      return fc.oneof(
        fc.array(hostileOf(item, slot, ctx), { minLength: 1, maxLength: 3 }),
        validOf(item, slot, ctx).map((v) =>
          Array.from({ length: Math.max(s.maxItems ?? 0, 1000) + 1 }, () => v),
        ),
        fc.constant([]),
        hostileStrings({ type: 'string' }, slot, ctx),
        ...base,
      );
    }
    case 'object':
      return fc.oneof(
        { weight: 4, arbitrary: objectOf(s, ctx).map((o) => o.value) },
        fc.constant({}),
        hostileStrings({ type: 'string' }, slot, ctx),
        ...base,
      );
    default:
      return fc.oneof(...base, fc.constantFrom(...injections));
  }
}

/** Mostly valid, often hostile: the mix that gets requests past the first check and into deeper code. */
export function field<T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>): fc.Arbitrary<Tagged<T>> {
  return fc.oneof(
    CROSS,
    { weight: 2, arbitrary: valid.map((value) => ({ hostile: false, value })) },
    { weight: 3, arbitrary: hostile.map((value) => ({ hostile: true, value })) },
  );
}

/** The properties of an object schema, each valid, hostile or (when optional, or as an attack) left out. */
export function propertiesOf(
  s: JsonSchema,
  ctx: SchemaContext,
): fc.Arbitrary<Record<string, Tagged<unknown>>> {
  const required = new Set(s.required ?? []);
  const props: Record<string, fc.Arbitrary<Tagged<unknown>>> = {};
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    const slot: Slot = { where: 'body', name };
    const valid = validOf(prop, slot, ctx);
    const hostile = hostileOf(prop, slot, ctx);
    props[name] = required.has(name)
      ? field(valid, fc.oneof({ weight: 8, arbitrary: hostile }, fc.constant<unknown>(OMIT)))
      : field(fc.oneof(CROSS, fc.constant<unknown>(OMIT), valid), hostile);
  }
  // Keys nobody declared: prototype pollution and the like must be ignored or refused, never crash.
  props[UNDECLARED] = field(
    fc.constant<unknown>(OMIT),
    fc.tuple(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'x\u0000', 'id', 'organizationId'),
      wrongTypes,
    ),
  );
  return fc.record(props);
}

/** Builds the object from its tagged properties; whether any part of it was hostile. */
export function assemble(props: Record<string, Tagged<unknown>>): Tagged<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  let hostile = false;
  for (const [name, { hostile: h, value }] of Object.entries(props)) {
    hostile ||= h;
    if (value === OMIT) continue;
    if (name === UNDECLARED) {
      const [key, v] = value as [string, unknown];
      Object.defineProperty(out, key, { value: v, enumerable: true, configurable: true, writable: true });
    } else out[name] = value;
  }
  return { hostile, value: out };
}

function objectOf(s: JsonSchema, ctx: SchemaContext) {
  return propertiesOf(s, ctx).map(assemble);
}

/** Valid and hostile text for a URL path segment or query value; raw text goes into the URL unencoded. */
export function textField(
  schema: JsonSchema,
  slot: Slot,
  ctx: SchemaContext,
  required: boolean,
): fc.Arbitrary<Tagged<string | Raw | string[] | typeof OMIT>> {
  const s = resolve(schema, ctx);
  const valid = validOf(s, slot, ctx).map((v) => String(v));
  const hostileText: fc.Arbitrary<string | Raw | string[] | typeof OMIT> = fc.oneof(
    { weight: 6, arbitrary: hostileStrings({ ...s, type: 'string' }, slot, ctx) },
    { weight: 1, arbitrary: fc.constantFrom(...rawEncodings).map(raw) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(valid, fc.constantFrom('%00', '%ED%A0%80', ...rawEncodings), fc.boolean())
        .map(([v, r, before]) => raw(before ? r + encodeURIComponent(v) : encodeURIComponent(v) + r)),
    },
    { weight: 1, arbitrary: fc.constantFrom(...edgeNumbers).map(String) },
    ...(slot.where === 'query'
      ? [{ weight: 1, arbitrary: fc.tuple(valid, hostileStrings(s, slot, ctx)).map(([a, b]) => [a, b]) }]
      : []),
    ...(required && slot.where === 'query' ? [{ weight: 1, arbitrary: fc.constant(OMIT) }] : []),
  );
  const validOrOmitted =
    required || slot.where === 'path' ? valid : fc.oneof(CROSS, fc.constant(OMIT), valid);
  return field<string | Raw | string[] | typeof OMIT>(validOrOmitted, hostileText);
}
