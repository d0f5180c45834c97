import { serveFunction } from '../../shared/platform/run';
import { createWorkspacesApp } from './app';
import { fromPlatform } from './deps';

await serveFunction('workspaces', (p, app) => createWorkspacesApp(fromPlatform(p), app));
