import { type AppOptions, createApp } from '../../shared/http/app';
import { mountOperations } from '../../shared/http/openapi';
import type { PlansDeps } from './deps';
import { listPlansOperation } from './routes/list-plans';

export const operations = [listPlansOperation];

export function createPlansApp(deps: PlansDeps, app: AppOptions) {
  return mountOperations(createApp({ ...app, name: 'plans' }), operations, deps);
}
