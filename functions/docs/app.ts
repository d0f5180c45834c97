import { type CreateAppOptions, createApp } from '../../shared/http/app';
import { mountOperations } from '../../shared/http/openapi';
import { getOpenApiOperation } from './routes/get-openapi';
import { getReferenceOperation } from './routes/get-reference';

/** `document` is lazy: the route registry imports every function, including this one. */
export type DocsDeps = { document: () => unknown };

export const operations = [getOpenApiOperation, getReferenceOperation];

export function createDocsApp(deps: DocsDeps, app: Omit<CreateAppOptions, 'name'>) {
  return mountOperations(createApp({ ...app, name: 'docs' }), operations, deps);
}
