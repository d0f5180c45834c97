import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

/**
 * The console's one way to the API: openapi-fetch typed by the generated schema (schema.ts, `npm run
 * console:api`), so a call to a path or method the OpenAPI document does not have fails to compile. The session
 * rides in the HttpOnly cookies; no token is ever readable here.
 */
export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
export type Workspace = Schemas['Workspace'];
export type Plan = Schemas['Plan'];
export type Task = Schemas['Task'];
export type Me = Schemas['Me'];
export type Billing = Schemas['Billing'];
export type Invoice = Schemas['Invoice'];
export type PlanChangePreview = Schemas['PlanChangePreview'];

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Requests a 401 of which means "not signed in" rather than "session expired": never refreshed and retried. */
const NO_RETRY = new Set(['/auth/refresh', '/auth/logout', '/auth/login/dev', '/auth/login/{provider}']);

/** A cookie readable by scripts: only `hxb_csrf`, which merely delivers the session's CSRF token. */
export function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

let signedOut: () => void = () => {};
/** What to do when the session is gone for good (refresh refused): the app shows the sign-in screen. */
export function onSignedOut(handler: () => void) {
  signedOut = handler;
}

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });

let refreshing: Promise<boolean> | undefined;
/** One refresh for however many requests met the expired access cookie at once. */
function refreshOnce(): Promise<boolean> {
  refreshing ??= api
    .POST('/auth/refresh', { body: {} })
    .then(({ response }) => response.ok)
    .catch(() => false)
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}

const retries = new Map<string, Request>();

/**
 * Cookie-authenticated mutations echo the `hxb_csrf` cookie in X-CSRF-Token (shared/auth/csrf.ts). A 401 tries
 * POST /auth/refresh once, then the request again; a second refusal means signed out.
 */
const session: Middleware = {
  onRequest({ request, id, schemaPath }) {
    if (MUTATIONS.has(request.method)) {
      const token = readCookie('hxb_csrf');
      if (token) request.headers.set('X-CSRF-Token', token);
    }
    if (!NO_RETRY.has(schemaPath)) retries.set(id, request.clone());
    return request;
  },
  async onResponse({ response, id, schemaPath, options }) {
    const again = retries.get(id);
    retries.delete(id);
    if (response.status !== 401 || NO_RETRY.has(schemaPath)) return undefined;
    if (again && (await refreshOnce())) {
      const retried = await options.fetch(again);
      if (retried.status !== 401) return retried;
    }
    signedOut();
    return undefined;
  },
  onError({ id }) {
    retries.delete(id);
  },
};
api.use(session);

/** The problem+json of a failed call, or a stand-in when the answer was not one (network down, proxy page). */
export function problemOf(error: unknown, response?: Response): Problem {
  if (error && typeof error === 'object' && 'detail' in error && typeof error.detail === 'string')
    return error as Problem;
  const status = response?.status ?? 0;
  return {
    type: 'about:blank',
    title: 'Request failed',
    status,
    code: 'UNKNOWN',
    detail: status ? `The server answered ${status}.` : 'The server could not be reached. Try again.',
  };
}

/** Field name → message, from a problem's `errors[]` (validation answers). */
export function fieldErrorsOf(problem: Problem | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of problem?.errors ?? []) out[e.field] ??= e.message;
  return out;
}

/** The task stream: an operation of the document, read with EventSource (same origin, cookies included). */
export const TASK_PATH = '/api/v1/tasks/{taskId}' satisfies keyof paths;

const finished = (t: Task) => t.status === 'succeeded' || t.status === 'failed';

/**
 * Follows a task until it ends: its `task` events (Accept: text/event-stream), or, when the stream fails (an
 * expired session, a proxy that buffers), polling the same operation through the client, which refreshes.
 * Returns the function that stops following.
 */
export function followTask(taskId: string, onTask: (task: Task) => void): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    stopped = true;
    stream.close();
    clearTimeout(timer);
  };
  const poll = async () => {
    if (stopped) return;
    const { data } = await api
      .GET(TASK_PATH, { params: { path: { taskId } } })
      .catch(() => ({ data: undefined }));
    if (stopped) return;
    if (data && typeof data === 'object') {
      onTask(data);
      if (finished(data)) return stop();
    }
    timer = setTimeout(poll, 2000);
  };
  const stream = new EventSource(TASK_PATH.replace('{taskId}', encodeURIComponent(taskId)));
  stream.addEventListener('task', (event) => {
    const task = JSON.parse((event as MessageEvent<string>).data) as Task;
    onTask(task);
    if (finished(task)) stop();
  });
  stream.onerror = () => {
    stream.close();
    if (!stopped) void poll();
  };
  return stop;
}
