import { serveFunction } from '../../shared/platform/run';
import { createOidcApp } from './app';
import { fromPlatform } from './deps';

await serveFunction('oidc', (p, app) => createOidcApp(fromPlatform(p), app));
