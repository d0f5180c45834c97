import { runProcess } from '../../shared/platform/run';
import { openApiDocument } from '../operations';
import { createDocsApp } from './app';

await runProcess('docs', async (p, { registry }) => {
  const app = createDocsApp(
    { document: () => openApiDocument(p.env.HEXABASE_PUBLIC_URL) },
    { log: p.log, readiness: {}, registry },
  );
  return { fetch: app.fetch, apps: [app] };
});
