// Schemas that document themselves with `.openapi()` take zod from here: the method exists only once
// @hono/zod-openapi has run, and importing this module runs it first, whatever the importer's import order.
// Import it as a namespace (`import * as z from …/http/zod`): esbuild drops what a namespace import does not use,
// but not what a re-exported `z` object holds (zod's `{ z }` export alone carries every locale, ~450 KB vs ~110 KB).
import '@hono/zod-openapi';

export * from 'zod';
