import { describe, expect, it } from 'vitest';
import { formatQuantity, InvalidQuantityError, parseQuantity, unitOf } from './quantity';

describe('Kubernetes quantities', () => {
  it('parses the suffixes the API server writes', () => {
    expect(parseQuantity('250m')).toBe(0.25);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('512Mi')).toBe(512 * 2 ** 20);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1k')).toBe(1000);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('100Ki')).toBe(102_400);
  });

  it('refuses what is not a quantity', () => {
    for (const bad of ['', 'ten', '1.5.5', '12Xi', '5 m'])
      expect(() => parseQuantity(bad)).toThrow(InvalidQuantityError);
  });

  it('formats by the unit the resource name implies', () => {
    expect(unitOf('requests.cpu')).toBe('cores');
    expect(unitOf('limits.memory')).toBe('bytes');
    expect(unitOf('requests.storage')).toBe('bytes');
    expect(unitOf('services.loadbalancers')).toBe('count');
    expect(formatQuantity('requests.cpu', 0.25)).toBe('250m');
    expect(formatQuantity('requests.cpu', 2)).toBe('2');
    expect(formatQuantity('requests.memory', 512 * 2 ** 20)).toBe('512Mi');
    expect(formatQuantity('requests.memory', 2 ** 30 * 4)).toBe('4Gi');
    expect(formatQuantity('requests.memory', 1000)).toBe('1000');
    expect(formatQuantity('pods', 3)).toBe('3');
    // An average of counts keeps its fraction as milli-units.
    expect(formatQuantity('pods', 2.5)).toBe('2500m');
    expect(formatQuantity('pods', 0)).toBe('0');
  });

  it('round-trips what it formats', () => {
    for (const [r, v] of [
      ['requests.cpu', 1.75],
      ['limits.memory', 3 * 2 ** 30],
      ['pods', 12],
    ] as const)
      expect(parseQuantity(formatQuantity(r, v))).toBe(v);
  });
});
