import { streamSSE } from 'hono/streaming';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { WsParams } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { idSchema } from '../../../shared/ids';
import { parseStep, type UsageView, workspaceUsage, workspaceUsageSeries } from '../../../shared/usage/views';
import { requireWorkspace } from '../../../shared/workspaces/access';
import type { UsageDeps } from '../deps';

const Quota = z.record(z.string(), z.object({ hard: z.string(), used: z.string() })).openapi('UsageQuota');

const UsageSchema = z
  .object({
    sampledAt: z.string().nullable(),
    stale: z.boolean(),
    staleReason: z.string().nullable(),
    quota: Quota,
    projects: z.array(z.object({ projectId: z.string(), name: z.string(), quota: Quota })),
  })
  .openapi('Usage');

const UsageSeriesSchema = z
  .object({
    range: z.enum(['1h', '24h', '7d']),
    step: z.number().int(),
    from: z.string(),
    to: z.string(),
    series: z.array(
      z.object({
        resource: z.string(),
        hard: z.string().nullable(),
        points: z.array(z.tuple([z.number(), z.string()])),
      }),
    ),
  })
  .openapi('UsageSeries');

const Query = z.object({
  range: z
    .enum(['1h', '24h', '7d'])
    .optional()
    .openapi({ description: 'A series over this range instead of the latest sample' }),
  step: z
    .string()
    .max(12)
    .optional()
    .openapi({ description: 'Seconds between points: 30s, 5m, 1h (with range)' }),
  projectId: idSchema('prj')
    .optional()
    .openapi({
      param: { name: 'projectId', in: 'query' },
      description: 'One project instead of the sum (with range)',
    }),
});

/** Long enough for a console tab left open; the browser's EventSource reconnects after it. */
const MAX_STREAM_MS = 30 * 60_000;

export const getUsageOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/workspaces/{wsId}/usage',
    tags: ['Usage'],
    summary: 'Resource usage against quota (members, org admins); a series with range; a stream of samples',
    request: { params: WsParams, query: Query },
    responses: {
      200: {
        description:
          'The latest sample; with `range`, a series; with Accept: text/event-stream, `usage` events as samples arrive',
        content: {
          'application/json': { schema: z.union([UsageSchema, UsageSeriesSchema]) },
          'text/event-stream': { schema: z.string() },
        },
      },
      ...problems(401, 404),
    },
  }),
  (deps: UsageDeps) => async (c) => {
    const { wsId } = c.req.valid('param');
    const q = c.req.valid('query');
    await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'read');
    if (q.range) {
      const step = parseStep(q.step, q.range);
      const input = { wsId, range: q.range, step, ...(q.projectId ? { projectId: q.projectId } : {}) };
      return c.json(await workspaceUsageSeries(deps, input), 200);
    }
    const first = await workspaceUsage(deps, { wsId });
    if (!(c.req.header('accept') ?? '').includes('text/event-stream')) return c.json(first, 200);
    return streamSSE(c, async (stream) => {
      let wake: (() => void) | undefined;
      const unsubscribe = deps.watch.subscribe(wsId, () => wake?.());
      const started = Date.now();
      let last: string | undefined;
      let current: UsageView = first;
      stream.onAbort(() => wake?.());
      try {
        while (!stream.aborted && Date.now() - started < MAX_STREAM_MS) {
          const key = `${current.sampledAt}|${current.stale}`;
          if (key !== last) {
            await stream.writeSSE({
              event: 'usage',
              id: current.sampledAt ?? '',
              data: JSON.stringify(current),
            });
            last = key;
          }
          // A notification, or one interval (staleness changes with time alone).
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, deps.intervalSeconds * 1000);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          current = await workspaceUsage(deps, { wsId });
        }
      } finally {
        unsubscribe();
      }
    }) as never;
  },
);
