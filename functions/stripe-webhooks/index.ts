import { serveFunction } from '../../shared/platform/run';
import { createStripeWebhooksApp } from './app';
import { fromPlatform } from './deps';

await serveFunction('stripe-webhooks', (p, app) => createStripeWebhooksApp(fromPlatform(p), app));
