import { type AppOptions, createApp } from '../../shared/http/app';
import { mountOperations, type Operation } from '../../shared/http/openapi';
import type { DocsDeps } from './deps';
import { getOpenApiOperation } from './routes/get-openapi';
import { getReferenceOperation } from './routes/get-reference';

export const operations = [getOpenApiOperation, getReferenceOperation];

export function createDocsApp(deps: DocsDeps, app: AppOptions) {
  const documented = [...deps.documented, ...(operations as Operation<never>[])];
  return mountOperations(createApp({ ...app, name: 'docs' }), operations, { ...deps, documented });
}
