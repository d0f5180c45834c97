import { serveFunction } from '../../shared/platform/run';
import { createConsoleApp } from './app';
import { fromPlatform } from './deps';

// The console is static: it is ready as soon as it listens, whatever the database does.
await serveFunction('console', (p, app) => createConsoleApp(fromPlatform(p), { ...app, readiness: {} }));
