import { serveFunction } from '../../shared/platform/run';
import { createBillingWorkerApp } from './app';
import { fromPlatform } from './deps';

await serveFunction('billing-worker', (p, app) => createBillingWorkerApp(fromPlatform(p), app));
