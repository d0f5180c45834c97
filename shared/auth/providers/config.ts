import * as z from 'zod';

const base = {
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lowercase letters, digits and dashes')
    .refine((id) => id !== 'dev', '"dev" is reserved for dev login'),
  name: z.string().min(1).max(64).optional(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** PEM file of a private CA that signs the provider's TLS certificate (self-hosted IdPs, tests). */
  caFile: z.string().min(1).optional(),
};

export const providerConfigSchema = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('oidc'),
    issuer: z.url(),
    scopes: z.array(z.string()).default(['openid', 'email', 'profile']),
  }),
  z.object({
    ...base,
    id: base.id.default('google'),
    type: z.literal('google'),
    issuer: z.url().default('https://accounts.google.com'),
    scopes: z.array(z.string()).default(['openid', 'email', 'profile']),
  }),
  z.object({
    ...base,
    id: base.id.default('github'),
    type: z.literal('github'),
    authorizationUrl: z.url().default('https://github.com/login/oauth/authorize'),
    tokenUrl: z.url().default('https://github.com/login/oauth/access_token'),
    apiUrl: z.url().default('https://api.github.com'),
    scopes: z.array(z.string()).default(['read:user', 'user:email']),
  }),
]);

export type ProviderConfig = z.infer<typeof providerConfigSchema>;

export const providersSchema = z
  .array(providerConfigSchema)
  .refine((list) => new Set(list.map((p) => p.id)).size === list.length, 'provider ids must be unique');
