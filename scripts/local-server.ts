import { Registry } from 'prom-client';
import { type FunctionName, functionRegistry } from '../functions/registry';
import { createApp, type HexabaseApp } from '../shared/http/app';
import type { Platform } from '../shared/platform';
import { compileRouteTable, routeTable, urlPath } from '../shared/routes/table';

/**
 * Every function of the route table in one process, dispatched by path prefix exactly as the ingress does in
 * the cluster. The root app answers /healthz, /readyz and anything no function claims. All apps share one
 * registry (labelled by function), because one process can serve only one /metrics: `npm start` passes the
 * process's, which runProcess serves on METRICS_PORT; tests get a fresh one they can read.
 */
export function createLocalServer(platform: Platform, opts: { registry?: Registry } = {}) {
  const registry = opts.registry ?? new Registry();
  const root = createApp({ name: 'local', log: platform.log, readiness: platform.readiness, registry });
  const apps = new Map<string, HexabaseApp>();
  for (const entry of routeTable) {
    const fn = functionRegistry[entry.name as FunctionName];
    if (!fn)
      throw new Error(
        `route table names function "${entry.name}" but functions/registry.ts has no such entry`,
      );
    apps.set(entry.name, fn.create(platform, { log: platform.log, readiness: platform.readiness, registry }));
  }
  const match = compileRouteTable(routeTable);
  // The second argument carries node-server's bindings (the Node request and response: client address, raw
  // headers) through to the function's app.
  const fetch = (req: Request, env?: unknown) => {
    const entry = match(urlPath(req.url));
    return (entry ? apps.get(entry.name)! : root).fetch(req, env);
  };
  /** How the local dispatcher reaches a worker function: in-process, as Knative would over HTTP. */
  const deliver = (fn: string) => (req: Request) => Promise.resolve(apps.get(fn)!.fetch(req));
  return { fetch, apps: [root, ...apps.values()], registry, deliver };
}
