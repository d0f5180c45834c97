import type { ProviderConfig } from './config';
import { githubProvider } from './github';
import { oidcProvider } from './oidc';
import type { IdentityProvider } from './types';

export * from './config';
export * from './state-store';
export * from './types';

export function createProviders(configs: ProviderConfig[]): Map<string, IdentityProvider> {
  return new Map(configs.map((c) => [c.id, c.type === 'github' ? githubProvider(c) : oidcProvider(c)]));
}
