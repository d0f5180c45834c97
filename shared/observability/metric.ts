import type { Metric, Registry } from 'prom-client';

/**
 * The registry's metric of that name, made (and registered by `make`) on first use. The all-in-one process builds
 * several apps on one registry and tests build several on theirs, while prom-client refuses a second metric of a
 * name: the first one serves them all (they share the process's database, which is all a collect() reads).
 */
export function registered<T extends Metric>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}
