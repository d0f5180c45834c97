/**
 * Kubernetes quantities as the usage API sends them ("250m", "2", "512Mi", "4Gi"), read into base units (cores,
 * bytes, objects) and written for people ("0.25 cores", "512 MiB"). The suffixes are resource.Quantity's; the
 * API's own parser (shared/usage/quantity.ts) is held to the same numbers by quantity.test.ts.
 */
const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** The number a quantity stands for, in base units; NaN for anything else (a screen shows "—", never throws). */
export function parseQuantity(q: string): number {
  const m = QUANTITY.exec(q.trim());
  if (!m) return Number.NaN;
  return Number(m[1]) * (m[2] ? 10 ** Number(m[2].slice(1)) : SUFFIX[m[3] ?? '']!);
}

export type Unit = 'cores' | 'bytes' | 'count';

/** As the API decides it: cores for `*.cpu`, bytes for memory and storage, a count of objects for the rest. */
export function unitOf(resource: string): Unit {
  if (/(^|\.)cpu$/.test(resource)) return 'cores';
  if (/(^|\.)(memory|storage|ephemeral-storage)$/.test(resource)) return 'bytes';
  return 'count';
}

const number = (value: number, digits: number) =>
  new Intl.NumberFormat(undefined, { maximumFractionDigits: digits }).format(value);

const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** Bytes in the largest binary unit that keeps the number at least 1 (memory quotas are written in Mi and Gi). */
function bytes(value: number): string {
  let i = 0;
  while (i < BINARY.length - 1 && Math.abs(value) >= 1024 ** (i + 1)) i++;
  return `${number(value / 1024 ** i, i === 0 ? 0 : 1)} ${BINARY[i]}`;
}

/** An amount of the resource with its unit: "0.25 cores", "1 core", "512 MiB", "3". */
export function formatAmount(resource: string, value: number): string {
  if (!Number.isFinite(value)) return '—';
  switch (unitOf(resource)) {
    case 'cores':
      return `${number(value, 3)} ${value === 1 ? 'core' : 'cores'}`;
    case 'bytes':
      return bytes(value);
    default:
      return number(value, 1);
  }
}

/** "0.25 of 2 cores", "128 MiB of 4 GiB", "1 of 20": the unit once when both sides share it. */
export function formatUsedOf(resource: string, used: number, hard: number): string {
  const unit = unitOf(resource);
  const left = unit === 'cores' && Number.isFinite(used) ? number(used, 3) : formatAmount(resource, used);
  return `${left} of ${formatAmount(resource, hard)}`;
}

/** From this share of the quota on, a meter shows a warning: the next deployment may be refused. */
export const NEAR_QUOTA = 0.9;

export type Level = 'ok' | 'near' | 'over';

/** Where usage stands against the quota; a quota of 0 with nothing used is fine (the plan allows none). */
export function levelOf(used: number, hard: number): Level {
  if (hard <= 0) return used > 0 ? 'over' : 'ok';
  if (used > hard) return 'over';
  return used / hard >= NEAR_QUOTA ? 'near' : 'ok';
}

/** The used share in whole percent, or undefined when the quota is 0. */
export const percentOf = (used: number, hard: number): number | undefined =>
  hard > 0 && Number.isFinite(used) ? Math.round((used / hard) * 100) : undefined;

/** ResourceQuota names as people say them, in the order a screen lists them. */
const LABELS: [resource: string, label: string][] = [
  ['requests.cpu', 'CPU requests'],
  ['cpu', 'CPU requests'],
  ['requests.memory', 'Memory requests'],
  ['memory', 'Memory requests'],
  ['limits.cpu', 'CPU limits'],
  ['limits.memory', 'Memory limits'],
  ['pods', 'Pods'],
  ['persistentvolumeclaims', 'Persistent volume claims'],
  ['requests.storage', 'Storage'],
  ['requests.ephemeral-storage', 'Ephemeral storage requests'],
  ['limits.ephemeral-storage', 'Ephemeral storage limits'],
  ['services.loadbalancers', 'Load balancers'],
  ['services.nodeports', 'Node ports'],
  ['services', 'Services'],
];
const ORDER = new Map(LABELS.map(([r], i) => [r, i]));
const NAMES = new Map(LABELS);

/** A resource's name for people; one Hexabase does not know keeps its Kubernetes name. */
export const resourceLabel = (resource: string) => NAMES.get(resource) ?? resource;

/** Known resources in their usual order, then the others alphabetically. */
export function sortResources(resources: string[]): string[] {
  const rank = (r: string) => ORDER.get(r) ?? LABELS.length;
  return [...resources].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
