import * as z from '../../shared/http/zod';

/** Only back to this deployment's public URL (400 INVALID_RETURN_URL otherwise). */
export const ReturnUrlBody = {
  required: true,
  content: {
    'application/json': {
      schema: z.object({
        returnUrl: z
          .string()
          .min(1)
          .max(2000)
          .openapi({ example: 'https://hexabase.example.com/orgs/org_x/billing' }),
      }),
    },
  },
} as const;

export const RedirectUrl = z.object({ url: z.string() }).openapi('StripeRedirect');
