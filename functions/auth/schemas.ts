import * as z from '../../shared/http/zod';

export const ProviderParam = z.object({
  provider: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,31}$/)
    .openapi({ param: { name: 'provider', in: 'path' }, example: 'google' }),
});

export const UserSchema = z
  .object({ id: z.string(), email: z.string(), displayName: z.string() })
  .openapi('User');

export const TokenPairSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int().openapi({ description: 'Access token lifetime in seconds' }),
    user: UserSchema,
  })
  .openapi('TokenPair');
