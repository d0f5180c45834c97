import { serveFunction } from '../../shared/platform/run';
import { createProvisionerApp } from './app';
import { fromPlatform } from './deps';

await serveFunction('provisioner', (p, app) => createProvisionerApp(fromPlatform(p), app));
