import { serveFunction } from '../../shared/platform/run';
import { createBillingApp } from './app';
import { fromPlatform } from './deps';

await serveFunction('billing', (p, app) => createBillingApp(fromPlatform(p), app));
