import { runProcess } from '../../shared/platform/run';
import { openApiDocument } from '../operations';
import { createDocsApp } from './app';

await runProcess('docs', async (p) => {
  const app = createDocsApp(
    { document: () => openApiDocument(p.env.HEXABASE_PUBLIC_URL) },
    { log: p.log, readiness: {}, defaultMetrics: true },
  );
  return { fetch: app.fetch, apps: [app] };
});
