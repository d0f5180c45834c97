import { describe, expect, it } from 'vitest';
import { idPrefixes, idSchema, isId, newId } from './index';

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

describe('ids', () => {
  it('are prefixed, lowercase, DNS-label-safe and at most 32 characters', () => {
    for (const prefix of idPrefixes) {
      const id = newId(prefix);
      expect(id.startsWith(`${prefix}-`)).toBe(true);
      expect(id).toMatch(DNS_LABEL);
      expect(id.length).toBeLessThanOrEqual(32);
      expect(isId(prefix, id)).toBe(true);
    }
  });

  it('do not repeat across many draws', () => {
    const seen = new Set(Array.from({ length: 10_000 }, () => newId('ws')));
    expect(seen.size).toBe(10_000);
  });

  it('rejects ids of another type, upper case and trailing junk', () => {
    const ws = newId('ws');
    expect(isId('org', ws)).toBe(false);
    expect(isId('ws', ws.toUpperCase())).toBe(false);
    expect(isId('ws', `${ws}x`)).toBe(false);
    expect(idSchema('ws').safeParse('ws-../../etc').success).toBe(false);
  });
});
