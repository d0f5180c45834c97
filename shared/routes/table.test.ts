import { describe, expect, it } from 'vitest';
import { compileRouteTable } from './table';

const match = compileRouteTable([
  { name: 'orgs', description: '', prefixes: ['/api/v1/organizations'] },
  { name: 'workspaces', description: '', prefixes: ['/api/v1/organizations/*/workspaces'] },
  { name: 'billing', description: '', prefixes: ['/api/v1/organizations/*/billing'] },
  { name: 'auth', description: '', prefixes: ['/auth'] },
]);

describe('route table matching', () => {
  it('routes to the most specific prefix', () => {
    expect(match('/api/v1/organizations')?.name).toBe('orgs');
    expect(match('/api/v1/organizations/org-1')?.name).toBe('orgs');
    expect(match('/api/v1/organizations/org-1/workspaces')?.name).toBe('workspaces');
    expect(match('/api/v1/organizations/org-1/workspaces/ws-1/kubeconfig')?.name).toBe('workspaces');
    expect(match('/api/v1/organizations/org-1/billing/portal')?.name).toBe('billing');
  });

  it('matches whole segments only', () => {
    expect(match('/authority')).toBeUndefined();
    expect(match('/api/v1/organizationsX')).toBeUndefined();
    expect(match('/auth/login/dev')?.name).toBe('auth');
  });

  it('returns nothing for unknown paths', () => {
    expect(match('/')).toBeUndefined();
    expect(match('/api/v2/organizations')).toBeUndefined();
  });
});
