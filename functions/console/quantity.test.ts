import { describe, expect, it } from 'vitest';
import { parseQuantity as apiParse, formatQuantity } from '../../shared/usage/quantity';
import {
  formatAmount,
  formatUsedOf,
  levelOf,
  parseQuantity,
  percentOf,
  resourceLabel,
  sortResources,
  unitOf,
} from './ui/components/quantity';

/** The console reads the quantities the usage API writes; it must read them as the API's own parser does. */
describe("the console's Kubernetes quantities", () => {
  it.each([
    ['250m', 0.25],
    ['2', 2],
    ['1.5', 1.5],
    ['100u', 0.0001],
    ['512Mi', 512 * 2 ** 20],
    ['4Gi', 4 * 2 ** 30],
    ['1Ti', 2 ** 40],
    ['128Ki', 128 * 1024],
    ['1k', 1000],
    ['5M', 5e6],
    ['1e3', 1000],
    ['1E-3', 0.001],
    ['.5', 0.5],
    ['0', 0],
    [' 3 ', 3],
  ])('reads %j as %d, as the API does', (q, n) => {
    expect(parseQuantity(q)).toBeCloseTo(n, 12);
    expect(parseQuantity(q)).toBe(apiParse(q));
  });

  it('reads anything else as NaN rather than throwing', () => {
    for (const q of ['', 'abc', '2 cores', '1GB', '1.2.3', 'Mi', '--1'])
      expect(parseQuantity(q), q).toBeNaN();
  });

  it('reads back every quantity the API formats, for each kind of resource', () => {
    for (const [resource, values] of [
      ['requests.cpu', [0, 0.001, 0.25, 1, 1.5, 2, 64, 0.3333]],
      ['limits.memory', [0, 1, 1024, 512 * 2 ** 20, 4 * 2 ** 30, 1.5 * 2 ** 30, 123_456_789]],
      ['pods', [0, 1, 20, 2.5]],
    ] as const)
      for (const v of values) {
        const q = formatQuantity(resource, v);
        expect(parseQuantity(q), `${resource} ${q}`).toBeCloseTo(apiParse(q), 9);
      }
  });

  it('knows the unit of a resource as the API does', () => {
    expect(unitOf('requests.cpu')).toBe('cores');
    expect(unitOf('cpu')).toBe('cores');
    expect(unitOf('limits.memory')).toBe('bytes');
    expect(unitOf('requests.storage')).toBe('bytes');
    expect(unitOf('requests.ephemeral-storage')).toBe('bytes');
    expect(unitOf('pods')).toBe('count');
    expect(unitOf('services.loadbalancers')).toBe('count');
  });

  it('writes amounts for people: cores, binary byte units, counts', () => {
    expect(formatAmount('requests.cpu', 0.25)).toBe('0.25 cores');
    expect(formatAmount('requests.cpu', 1)).toBe('1 core');
    expect(formatAmount('requests.cpu', 2)).toBe('2 cores');
    expect(formatAmount('requests.cpu', 0.0005)).toBe('0.001 cores');
    expect(formatAmount('requests.memory', 0)).toBe('0 B');
    expect(formatAmount('requests.memory', 512)).toBe('512 B');
    expect(formatAmount('requests.memory', 128 * 2 ** 20)).toBe('128 MiB');
    expect(formatAmount('limits.memory', 4 * 2 ** 30)).toBe('4 GiB');
    expect(formatAmount('limits.memory', 1.5 * 2 ** 30)).toBe('1.5 GiB');
    expect(formatAmount('requests.storage', 2 ** 40)).toBe('1 TiB');
    expect(formatAmount('pods', 3)).toBe('3');
    expect(formatAmount('pods', 2.25)).toBe('2.3');
    expect(formatAmount('pods', Number.NaN)).toBe('—');
  });

  it('writes used against hard with the unit once when they share it', () => {
    expect(formatUsedOf('requests.cpu', 0.25, 2)).toBe('0.25 of 2 cores');
    expect(formatUsedOf('requests.memory', 128 * 2 ** 20, 4 * 2 ** 30)).toBe('128 MiB of 4 GiB');
    expect(formatUsedOf('pods', 1, 20)).toBe('1 of 20');
  });

  it('warns from 90 % of the quota and says when it is exceeded', () => {
    expect(levelOf(0, 20)).toBe('ok');
    expect(levelOf(17.9, 20)).toBe('ok');
    expect(levelOf(18, 20)).toBe('near');
    expect(levelOf(20, 20)).toBe('near');
    expect(levelOf(21, 20)).toBe('over');
    expect(levelOf(0, 0)).toBe('ok'); // the plan allows none, and none is used
    expect(levelOf(1, 0)).toBe('over');
    expect(percentOf(0.25, 2)).toBe(13);
    expect(percentOf(1, 0)).toBeUndefined();
  });

  it('names and orders the resources of a quota', () => {
    expect(resourceLabel('requests.cpu')).toBe('CPU requests');
    expect(resourceLabel('services.loadbalancers')).toBe('Load balancers');
    expect(resourceLabel('count/jobs.batch')).toBe('count/jobs.batch');
    expect(
      sortResources([
        'services.loadbalancers',
        'pods',
        'count/jobs.batch',
        'limits.memory',
        'requests.cpu',
        'requests.storage',
        'persistentvolumeclaims',
        'limits.cpu',
        'requests.memory',
      ]),
    ).toEqual([
      'requests.cpu',
      'requests.memory',
      'limits.cpu',
      'limits.memory',
      'pods',
      'persistentvolumeclaims',
      'requests.storage',
      'services.loadbalancers',
      'count/jobs.batch',
    ]);
  });
});
