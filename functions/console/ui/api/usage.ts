import { api, type Problem, problemOf, type Schemas } from './client';
import type { paths } from './schema';

export type Usage = Schemas['Usage'];
export type UsageSeries = Schemas['UsageSeries'];

/** The usage operation: JSON through the client, and its stream read with EventSource (same origin, cookies). */
export const USAGE_PATH = '/api/v1/workspaces/{wsId}/usage' satisfies keyof paths;

export type UsageFollower = {
  usage: (usage: Usage) => void;
  /** false while the stream is down and the numbers shown may be old; true again once it is back. */
  live: (live: boolean) => void;
  problem: (problem: Problem) => void;
};

const FIRST_RETRY_MS = 5000;
const LAST_RETRY_MS = 60_000;

/**
 * Follows a workspace's usage: the stream's `usage` events, one per new sample and one when staleness changes.
 * A dropped connection or a stream the server ended (it does after half an hour) the browser reopens by itself;
 * a refused one (an expired session) is read once through the client, which refreshes the session, then opened
 * again, later each time it keeps failing. A 404 (access taken away) ends it. Returns the function that stops.
 */
export function followUsage(wsId: string, on: UsageFollower): () => void {
  let stopped = false;
  let stream: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let retryMs = FIRST_RETRY_MS;

  const open = () => {
    if (stopped) return;
    const s = new EventSource(USAGE_PATH.replace('{wsId}', encodeURIComponent(wsId)));
    stream = s;
    s.addEventListener('usage', (event) => {
      retryMs = FIRST_RETRY_MS;
      on.live(true);
      on.usage(JSON.parse((event as MessageEvent<string>).data) as Usage);
    });
    s.onerror = () => {
      on.live(false);
      if (s.readyState !== EventSource.CLOSED) return; // the browser is reconnecting
      s.close();
      void recover();
    };
  };

  const recover = async () => {
    const { data, error, response } = await api
      .GET(USAGE_PATH, { params: { path: { wsId } } })
      .catch(() => ({ data: undefined, error: undefined, response: undefined }));
    if (stopped) return;
    if (typeof data === 'object' && 'quota' in data) on.usage(data);
    else if (response?.status !== 401) on.problem(problemOf(error, response));
    if (response?.status === 404) return;
    timer = setTimeout(open, retryMs);
    retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
  };

  open();
  return () => {
    stopped = true;
    stream?.close();
    clearTimeout(timer);
  };
}
