import { runProcess } from '../../shared/platform/run';
import { createKeyRotationApp, keyRotationDeps } from './app';

await runProcess('key-rotation', async (p, { registry }) => {
  const app = createKeyRotationApp(keyRotationDeps(p), {
    log: p.log,
    readiness: p.readiness,
    registry,
  });
  return { fetch: app.fetch, apps: [app] };
});
