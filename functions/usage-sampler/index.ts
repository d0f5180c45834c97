import { serveFunction } from '../../shared/platform/run';
import { createUsageSamplerApp } from './app';
import { fromPlatform } from './deps';

await serveFunction('usage-sampler', (p, app) => createUsageSamplerApp(fromPlatform(p), app));
