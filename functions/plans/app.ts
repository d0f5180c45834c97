import type { Db } from '../../shared/db';
import { type CreateAppOptions, createApp } from '../../shared/http/app';
import { mountOperations } from '../../shared/http/openapi';
import { listPlansOperation } from './routes/list-plans';

export type PlansDeps = { db: Db };

export const operations = [listPlansOperation];

export function createPlansApp(deps: PlansDeps, app: Omit<CreateAppOptions, 'name'>) {
  return mountOperations(createApp({ ...app, name: 'plans' }), operations, deps);
}
