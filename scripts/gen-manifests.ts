import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type DeployOptions, ingress, knativeService } from '../shared/deploy/knative';
import { routeTable } from '../shared/routes/table';

export const DEFAULTS: DeployOptions = {
  namespace: 'hexabase',
  image: 'ghcr.io/hexabase/hexabase:0.1.0',
  envSecret: 'hexabase-env',
  host: 'hexabase.example.com',
};

export function renderFunctions(opts: DeployOptions = DEFAULTS): string {
  const header = '# Generated from shared/routes/table.ts by `npm run manifests`. Do not edit by hand.\n';
  const docs = [...routeTable.map((r) => knativeService(r, opts)), ...ingress(routeTable, opts)];
  return header + docs.map((d) => stringify(d)).join('---\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = join(import.meta.dirname, '..', 'knative', 'functions.yaml');
  writeFileSync(file, renderFunctions());
  console.log(`wrote ${file}`);
}
