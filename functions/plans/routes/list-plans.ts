import { commonResponses, createRoute, defineOperation } from '../../../shared/http/openapi';
import { PageQuery, pageOf } from '../../../shared/http/pagination';
import * as z from '../../../shared/http/zod';
import { listPlans } from '../../../shared/plans';
import type { PlansDeps } from '../deps';

const ResourceList = z.record(z.string(), z.string());

export const PlanSchema = z
  .object({
    id: z.string().openapi({ example: 'standard' }),
    name: z.string(),
    price: z.number().int().openapi({ description: 'Minor units (cents) per month' }),
    currency: z.string().openapi({ example: 'usd' }),
    resourceLimits: z.object({
      quota: ResourceList,
      limitRange: z.object({ defaultRequest: ResourceList, default: ResourceList, max: ResourceList }),
    }),
    allowsDedicatedNodes: z.boolean(),
    maxProjects: z.number().int(),
    maxMembers: z.number().int(),
  })
  .openapi('Plan');

export const route = createRoute({
  method: 'get',
  path: '/api/v1/plans',
  tags: ['Plans'],
  summary: 'List plans',
  description: 'Public: the plans a workspace can be created with.',
  security: [],
  request: { query: PageQuery },
  responses: {
    200: { description: 'Plans', content: { 'application/json': { schema: pageOf(PlanSchema) } } },
    ...commonResponses,
  },
});

export const listPlansOperation = defineOperation(route, (deps: PlansDeps) => async (c) => {
  return c.json(await listPlans(deps, c.req.valid('query')), 200);
});
