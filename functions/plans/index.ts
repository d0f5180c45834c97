import { serveFunction } from '../../shared/platform/run';
import { createPlansApp } from './app';
import { fromPlatform } from './deps';

await serveFunction('plans', (p, app) => createPlansApp(fromPlatform(p), app));
