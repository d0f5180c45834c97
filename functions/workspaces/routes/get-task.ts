import { streamSSE } from 'hono/streaming';
import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { TaskParams } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { getTask, type TaskView } from '../../../shared/workspaces/tasks';
import type { WorkspacesDeps } from '../deps';

const TaskSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    status: z.enum(['pending', 'running', 'succeeded', 'failed']),
    progress: z.number().int(),
    message: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Task');

const POLL_MS = 500;
const MAX_STREAM_MS = 30 * 60_000;

const changed = (last: TaskView | undefined, current: TaskView) =>
  !last ||
  last.status !== current.status ||
  last.progress !== current.progress ||
  last.message !== current.message;

export const getTaskOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/tasks/{taskId}',
    tags: ['Workspaces'],
    summary: 'A task; with Accept: text/event-stream, its changes until it ends',
    request: { params: TaskParams },
    responses: {
      200: {
        description: 'The task (JSON), or a stream of `task` events (SSE) ending when the task ends',
        content: { 'application/json': { schema: TaskSchema }, 'text/event-stream': { schema: z.string() } },
      },
      ...problems(401, 404),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const actor = actorOf(c, deps.auth.trustProxy);
    const input = c.req.valid('param');
    const first = await getTask(deps, actor, input);
    if (!(c.req.header('accept') ?? '').includes('text/event-stream')) return c.json(first, 200);
    return streamSSE(c, async (stream) => {
      let last: TaskView | undefined;
      const started = Date.now();
      let current: TaskView = first;
      while (!stream.aborted && Date.now() - started < MAX_STREAM_MS) {
        if (changed(last, current)) {
          await stream.writeSSE({ event: 'task', id: current.updatedAt, data: JSON.stringify(current) });
          last = current;
        }
        if (current.status === 'succeeded' || current.status === 'failed') break;
        await stream.sleep(POLL_MS);
        current = await getTask(deps, actor, input);
      }
    }) as never;
  },
);
