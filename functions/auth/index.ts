import { serveFunction } from '../../shared/platform/run';
import { createAuthApp } from './app';
import { fromPlatform } from './deps';

await serveFunction('auth', (p, app) => createAuthApp(fromPlatform(p), app));
