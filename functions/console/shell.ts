import type { ConsoleAssets } from './assets';

/**
 * The Content-Security-Policy of the console: scripts and styles only from this origin's files (no
 * 'unsafe-inline', no inline script or style anywhere), API calls to this origin, forms (development sign-in) to
 * this origin, no framing, no plugins, no <base>.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const escapeAttr = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * The one HTML document of the single-page app, the same for every path: the script (a module, so deferred)
 * renders the screen the URL names. Installation settings the UI needs before any API call ride in <meta>.
 */
export function shellHtml(assets: ConsoleAssets, settings: { devLogin: boolean }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="hxb-dev-login" content="${escapeAttr(String(settings.devLogin))}">
<title>Hexabase</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/${escapeAttr(assets.style)}">
<script type="module" src="/assets/${escapeAttr(assets.script)}"></script>
</head>
<body>
<div id="app"></div>
<noscript><p>The Hexabase console needs JavaScript. The API and the <code>hxb</code> CLI work without it.</p></noscript>
</body>
</html>
`;
}
