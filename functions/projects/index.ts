import { serveFunction } from '../../shared/platform/run';
import { createProjectsApp } from './app';
import { fromPlatform } from './deps';

await serveFunction('projects', (p, app) => createProjectsApp(fromPlatform(p), app));
