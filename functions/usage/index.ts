import { serveFunction } from '../../shared/platform/run';
import { createUsageApp } from './app';
import { fromPlatform } from './deps';

await serveFunction('usage', (p, app) => createUsageApp(fromPlatform(p), app));
