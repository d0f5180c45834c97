import { serveFunction } from '../../shared/platform/run';
import { createOrganizationsApp } from './app';
import { fromPlatform } from './deps';

await serveFunction('organizations', (p, app) => createOrganizationsApp(fromPlatform(p), app));
