import { serveFunction } from '../../shared/platform/run';
import { createNotificationsApp } from './app';
import { fromPlatform } from './deps';

await serveFunction('notifications', (p, app) => createNotificationsApp(fromPlatform(p), app));
