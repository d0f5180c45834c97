import { BadRequestError, ValidationError } from '../errors';

/**
 * Text that PostgreSQL cannot store (NUL) or that is not Unicode at all (a lone UTF-16 surrogate, which JSON's
 * `\ud800` escape can produce) is refused at the edge, for every path, query and body string, so that no verb
 * ever hands it to the database or the audit log.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const badText = (s: string) => s.includes('\0') || LONE_SURROGATE.test(s);

const MESSAGE = 'must not contain NUL characters or unpaired UTF-16 surrogates';

/**
 * The first string (value or key) of a parsed JSON document that holds bad text, as a field path. Iterative: a
 * deeply nested document must not exhaust the stack.
 */
export function badTextField(value: unknown): string | undefined {
  const stack: { v: unknown; path: string }[] = [{ v: value, path: '' }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (badText(v)) return path || 'body';
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push({ v: v[i], path: path ? `${path}.${i}` : String(i) });
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const at = path ? `${path}.${k}` : k;
        if (badText(k)) return at;
        stack.push({ v: child, path: at });
      }
    }
  }
  return undefined;
}

export function refuseBadText(field: string | undefined): void {
  if (field !== undefined) throw new ValidationError([{ field, message: MESSAGE }]);
}

/**
 * Path segments and query parameters of a request URL (`c.req.url`), decoded the way routes will see them, then
 * checked. A URL without `%` needs no decoding and cannot hold bad text: the Fetch API's URLs are serialized as
 * ASCII, and NUL or a lone surrogate in a path or query is percent-encoded there, so most requests cost nothing.
 */
export function checkUrl(href: string): void {
  if (!href.includes('%')) return;
  const url = new URL(href);
  for (const segment of url.pathname.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch (err) {
      throw new BadRequestError('INVALID_PATH', 'The path is not valid percent-encoded UTF-8.', {
        cause: err,
      });
    }
    if (badText(decoded)) refuseBadText('path');
  }
  for (const [key, value] of url.searchParams) {
    if (badText(key) || badText(value)) refuseBadText(`query.${badText(key) ? 'key' : key}`);
  }
}
