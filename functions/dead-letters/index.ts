import { serveFunction } from '../../shared/platform/run';
import { createDeadLettersApp } from './app';
import { fromPlatform } from './deps';

await serveFunction('dead-letters', (p, app) => createDeadLettersApp(fromPlatform(p), app));
