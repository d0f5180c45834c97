import { serveFunction } from '../../shared/platform/run';
import { createKeyRotationApp } from './app';
import { fromPlatform } from './deps';

await serveFunction('key-rotation', (p, app) => createKeyRotationApp(fromPlatform(p), app));
