import fc from 'fast-check';
import { CALLER_TOKEN, hostileHeaders } from './headers';
import {
  CROSS,
  hostileContentTypes,
  hostileFormTexts,
  hostileJsonTexts,
  injections,
  isRaw,
  type Raw,
  rawEncodings,
} from './hostile';
import {
  assemble,
  type JsonSchema,
  OMIT,
  propertiesOf,
  type SchemaContext,
  type Tagged,
  textField,
} from './schema';

/** One operation of the OpenAPI document, reduced to what the fuzzer needs. */
export type DocOperation = {
  key: string;
  method: string;
  path: string;
  params: { name: string; in: 'path' | 'query'; required: boolean; schema: JsonSchema }[];
  bodies: { contentType: string; schema: JsonSchema }[];
  /** Declared media types by status code. */
  responses: Record<string, string[]>;
};

/** Loosely typed: the document builder's types say more than the fuzzer reads. */
type OpenApiDoc = { paths?: object };

export function documentedOperations(doc: OpenApiDoc): DocOperation[] {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  return Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, o]) => {
      const params = ((o.parameters ?? []) as DocOperation['params']).filter(
        (p) => p.in === 'path' || p.in === 'query',
      );
      const content = ((o.requestBody as { content?: Record<string, { schema: JsonSchema }> })?.content ??
        {}) as Record<string, { schema: JsonSchema }>;
      const responses = Object.fromEntries(
        Object.entries((o.responses ?? {}) as Record<string, { content?: object }>).map(([s, r]) => [
          s,
          Object.keys(r.content ?? {}),
        ]),
      );
      return {
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        params,
        bodies: Object.entries(content).map(([contentType, c]) => ({ contentType, schema: c.schema })),
        responses,
      };
    }),
  );
}

export type Text = string | Raw | string[] | typeof OMIT;
export type Body = {
  contentType: string | undefined;
  json?: unknown;
  form?: Record<string, unknown>;
  text?: string;
};
export type Caller = 'anonymous' | 'stranger' | 'owner';
export const CALLERS: Caller[] = ['anonymous', 'stranger', 'owner'];

export type FuzzRequest = {
  path: Record<string, Tagged<Text>>;
  query: Record<string, Tagged<Text>>;
  body: Tagged<Body | undefined>;
  /** Merged over the caller's; an empty value removes the header. */
  headers: Tagged<Record<string, string>>;
  /** Who sends it; everyone unless said otherwise. */
  callers?: Caller[];
};

export const FORM = 'application/x-www-form-urlencoded';
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The name of a query parameter no route declares: a hostile name with a hostile value. */
export const EXTRA = '\u0000extra';

function bodyArbitrary(op: DocOperation, ctx: SchemaContext): fc.Arbitrary<Tagged<Body | undefined>> {
  const hostileText = (contentType: string | undefined) =>
    fc
      .constantFrom(...(contentType === FORM ? hostileFormTexts : hostileJsonTexts))
      .map((text): Tagged<Body> => ({ hostile: true, value: { contentType, text } }));
  if (op.bodies.length === 0) {
    if (!BODY_METHODS.has(op.method)) return fc.constant({ hostile: false, value: undefined });
    // A DELETE ignores a body it does not read, so junk there alone would delete the fixture's rows.
    const counts = op.method !== 'DELETE';
    return fc.oneof(
      CROSS,
      { weight: 3, arbitrary: fc.constant({ hostile: false, value: undefined }) },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(...hostileContentTypes)
          .chain(hostileText)
          .map((b) => ({ ...b, hostile: counts })),
      },
    );
  }
  const declared = op.bodies.map(({ contentType, schema }) =>
    propertiesOf(schema, ctx)
      .map(assemble)
      .map(
        ({ hostile, value }): Tagged<Body> => ({
          hostile,
          value: contentType === FORM ? { contentType, form: value } : { contentType, json: value },
        }),
      ),
  );
  const wrongType = fc
    .tuple(
      declared.length === 1 ? declared[0]! : fc.oneof(...declared),
      fc.constantFrom(...hostileContentTypes),
    )
    .filter(([b, type]) => type !== b.value.contentType)
    .map(([b, contentType]): Tagged<Body> => ({ hostile: true, value: { ...b.value, contentType } }));
  return fc.oneof(
    CROSS,
    ...declared.map((arbitrary) => ({ weight: 8, arbitrary })),
    { weight: 1, arbitrary: hostileText(op.bodies[0]!.contentType) },
    { weight: 1, arbitrary: wrongType },
  );
}

/** Requests for one operation: every parameter and body field valid (from the fixture) or hostile, ≥ 1 hostile. */
export function requestArbitrary(op: DocOperation, ctx: SchemaContext): fc.Arbitrary<FuzzRequest> {
  const params = (where: 'path' | 'query') =>
    Object.fromEntries(
      op.params
        .filter((p) => p.in === where)
        .map((p) => [p.name, textField(p.schema, { where, name: p.name }, ctx, p.required)]),
    );
  const query: Record<string, fc.Arbitrary<Tagged<Text>>> = params('query');
  // A query parameter nobody declared: the only hostile input an operation without parameters can get.
  const undeclared = fc
    .tuple(
      fc.constantFrom('x', 'limit', '__proto__', '%00', ...rawEncodings),
      fc.constantFrom(...injections, '\u0000'),
    )
    .map(([name, value]): Tagged<Text> => ({ hostile: true, value: [name, value] }));
  query[EXTRA] = fc.oneof(
    CROSS,
    { weight: 4, arbitrary: fc.constant<Tagged<Text>>({ hostile: false, value: OMIT }) },
    { weight: 1, arbitrary: undeclared },
  );
  const hasInputs = op.params.length > 0 || op.bodies.length > 0;
  return fc
    .record({
      path: fc.record(params('path')),
      query: fc.record(query),
      body: bodyArbitrary(op, ctx),
      headers: hostileHeaders,
    })
    .filter(
      (r) =>
        r.body.hostile ||
        // An accepted odd header (say a lower-case "bearer") alone would let a DELETE delete the fixture's rows.
        (r.headers.hostile && op.method !== 'DELETE') ||
        Object.values(r.path).some((t) => t.hostile) ||
        Object.entries(r.query).some(([name, t]) => t.hostile && (name !== EXTRA || !hasInputs)),
    );
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** encodeURIComponent throws on lone surrogates; a client would send U+FFFD (raw `%ED%A0%80` covers the rest). */
const encode = (s: string) => encodeURIComponent(s.replace(LONE_SURROGATE, '\ufffd'));
const encodeText = (v: string | Raw) => (isRaw(v) ? v.raw : encode(v));

export type Rendered = {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** The headers the fuzzer chose (not the caller's own), for the counterexample. */
  chosenHeaders: Record<string, string>;
};

export function render(op: DocOperation, req: FuzzRequest, token: string | undefined): Rendered {
  const withToken = (s: string) => s.replaceAll(CALLER_TOKEN, token ?? '');
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = req.path[name]!.value;
    return v === OMIT || Array.isArray(v) ? '' : encodeText(v);
  });
  const pairs: string[] = [];
  for (const [name, { value }] of Object.entries(req.query)) {
    if (value === OMIT) continue;
    if (name === EXTRA) {
      const [k, v] = value as string[];
      pairs.push(`${encode(k!)}=${encode(v!)}`);
    } else
      for (const v of Array.isArray(value) ? value : [value]) pairs.push(`${encode(name)}=${encodeText(v)}`);
  }
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const chosenHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers.value)) {
    chosenHeaders[name] = withToken(value);
    if (value === '') delete headers[name];
    else headers[name] = withToken(value);
  }
  const b = req.body.value;
  let body: string | undefined;
  if (b) {
    if (b.contentType) headers['content-type'] = b.contentType;
    if (b.text !== undefined) body = b.text;
    else if (b.form) {
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(b.form))
        form.append(k, typeof v === 'string' ? withToken(v) : (JSON.stringify(v) ?? String(v)));
      body = form.toString();
    } else body = withToken(JSON.stringify(b.json) ?? '');
  }
  return {
    url: withToken(`http://localhost${path}${pairs.length ? `?${pairs.join('&')}` : ''}`),
    method: op.method,
    headers,
    body,
    chosenHeaders,
  };
}

/** Long values cut down so a counterexample stays readable; escapes make NUL and surrogates visible. */
export function preview(text: string | undefined, max = 240): string {
  if (text === undefined) return '(none)';
  const shown = JSON.stringify(text.length > max ? text.slice(0, max) : text);
  return text.length > max ? `${shown}… (${text.length} chars)` : shown;
}
