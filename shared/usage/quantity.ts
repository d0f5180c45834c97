/**
 * Kubernetes quantities as the sampler stores them (numbers in base units: cores, bytes, counts) and as the API
 * answers them (CONTRACT: Usage — quantities are strings). Parsing follows resource.Quantity's suffixes; formatting
 * picks the form `kubectl describe quota` shows for whole values and milli-units for fractions (averages).
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

export class InvalidQuantityError extends Error {
  readonly code = 'INVALID_QUANTITY';
}

export function parseQuantity(q: string): number {
  const m = QUANTITY.exec(q.trim());
  if (!m) throw new InvalidQuantityError(`not a Kubernetes quantity: ${JSON.stringify(q).slice(0, 40)}`);
  return Number(m[1]) * (m[2] ? 10 ** Number(m[2].slice(1)) : SUFFIX[m[3] ?? '']!);
}

const BINARY = ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'] as const;

/** Bytes for `*.memory`, `*.storage` and `*ephemeral-storage`; cores for `*.cpu`; everything else counts objects. */
export function unitOf(resource: string): 'cores' | 'bytes' | 'count' {
  if (/(^|\.)cpu$/.test(resource)) return 'cores';
  if (/(^|\.)(memory|storage|ephemeral-storage)$/.test(resource)) return 'bytes';
  return 'count';
}

export function formatQuantity(resource: string, value: number): string {
  if (!Number.isFinite(value) || value === 0) return '0';
  if (unitOf(resource) === 'bytes') {
    const bytes = Math.round(value);
    for (const s of BINARY) if (bytes % SUFFIX[s]! === 0) return `${bytes / SUFFIX[s]!}${s}`;
    return String(bytes);
  }
  const milli = Math.round(value * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}
