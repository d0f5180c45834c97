import { createHash } from 'node:crypto';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * A dependency-free reference page: it renders the OpenAPI document in the browser, so it works offline and
 * never drifts from the document. Its one script and one stylesheet are allowed by hash, so the page's
 * Content-Security-Policy needs no 'unsafe-inline'.
 */
export function referencePage(documentUrl: string): { html: string; csp: string } {
  const style = STYLE;
  const script = SCRIPT.replace('__DOCUMENT_URL__', JSON.stringify(documentUrl));
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hexabase API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${style}</style></head>
<body><header><h1>Hexabase API reference</h1><div>Source: <a href="${documentUrl}">${documentUrl}</a></div></header>
<main id="root">Loading…</main>
<script>${script}</script></body></html>`;
  return {
    html,
    csp: [
      "default-src 'none'",
      `script-src ${sha256(script)}`,
      `style-src ${sha256(style)}`,
      "connect-src 'self'",
      "img-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
  };
}

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f7f8fa}
header{background:#14213d;color:#fff;padding:16px 32px}main{max-width:980px;margin:0 auto;padding:16px 32px}
h2{margin-top:32px;border-bottom:1px solid #d7dbe2}details{background:#fff;border:1px solid #d7dbe2;border-radius:6px;margin:8px 0}
summary{cursor:pointer;padding:8px 12px;font-family:ui-monospace,monospace}.m{display:inline-block;width:64px;font-weight:700}
.get{color:#0b7a3b}.post{color:#1f5fbf}.put,.patch{color:#9a6700}.delete{color:#b42318}
.body{padding:0 16px 12px}pre{background:#f0f2f5;padding:8px;overflow:auto;font-size:13px}
header a{color:#9cc3ff}
`;

const SCRIPT = `
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (ch) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[ch]));
fetch(__DOCUMENT_URL__).then((r) => r.json()).then((doc) => {
  const byTag = {};
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      for (const tag of op.tags ?? ['Other']) (byTag[tag] ??= []).push({ path, method, op });
    }
  }
  const schema = (s) => '<pre>' + esc(JSON.stringify(s, null, 2)) + '</pre>';
  document.getElementById('root').innerHTML = '<p>' + esc(doc.info.description) + '</p>' +
    Object.entries(byTag).map(([tag, ops]) => '<h2>' + esc(tag) + '</h2>' + ops.map(({ path, method, op }) =>
      '<details><summary><span class="m ' + method + '">' + method.toUpperCase() + '</span>' + esc(path) +
      ' — ' + esc(op.summary) + '</summary><div class="body"><p>' + esc(op.description) + '</p>' +
      ((op.parameters ?? []).length ? '<h4>Parameters</h4>' + schema(op.parameters) : '') +
      (op.requestBody ? '<h4>Request body</h4>' + schema(op.requestBody) : '') +
      '<h4>Responses</h4>' + schema(op.responses) + '</div></details>').join('')).join('') +
    '<h2>Components</h2>' + schema(doc.components);
}).catch((e) => { document.getElementById('root').textContent = 'Could not load the document: ' + e; });
`;
