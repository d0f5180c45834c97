import { describe, expect, it } from 'vitest';
import { compileRouteTable, matchFunction } from './table';

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

  it('gives the root prefix only what no other prefix claims (the console)', () => {
    const withRoot = compileRouteTable([
      { name: 'console', description: '', prefixes: ['/'] },
      { name: 'orgs', description: '', prefixes: ['/api/v1/organizations'] },
      { name: 'workspaces', description: '', prefixes: ['/api/v1/organizations/*/workspaces'] },
      { name: 'auth', description: '', prefixes: ['/auth'] },
    ]);
    expect(withRoot('/')?.name).toBe('console');
    expect(withRoot('/workspaces/ws-1')?.name).toBe('console');
    expect(withRoot('/assets/app-X.js')?.name).toBe('console');
    expect(withRoot('/authority')?.name).toBe('console');
    expect(withRoot('/auth/me')?.name).toBe('auth');
    expect(withRoot('/api/v1/organizations/org-1')?.name).toBe('orgs');
    expect(withRoot('/api/v1/organizations/org-1/workspaces')?.name).toBe('workspaces');
  });

  it('routes the real table: the console at the root, every other function keeping its paths', () => {
    expect(matchFunction('/')?.name).toBe('console');
    expect(matchFunction('/workspaces/ws-x')?.name).toBe('console');
    expect(matchFunction('/api/v1/plans')?.name).toBe('plans');
    expect(matchFunction('/auth/login/dev')?.name).toBe('auth');
    expect(matchFunction('/oidc/ws-1/keys')?.name).toBe('oidc');
    expect(matchFunction('/invitations/accept')?.name).toBe('organizations');
  });
});
