import { serveFunction } from '../../shared/platform/run';
import { createDocsApp } from './app';
import { fromPlatform } from './deps';

// The reference is static: the function is ready as soon as it listens, whatever the database does.
await serveFunction('docs', (p, app) => createDocsApp(fromPlatform(p), { ...app, readiness: {} }));
