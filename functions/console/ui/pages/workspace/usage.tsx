import { useEffect, useState } from 'preact/hooks';
import { api, type Problem, type Workspace } from '../../api/client';
import { followUsage, type Usage, type UsageSeries } from '../../api/usage';
import { ErrorMessage, Loading } from '../../components/feedback';
import { useLoad } from './common';
import { UsageHistory } from './usage-chart';
import { Meters, ProjectUsage } from './usage-meters';

/** To the second: a sample every 30 seconds or so shows as a new time. */
const sampleTime = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** The chart is also refreshed on its own, for when the stream is down (the API keeps 5-minute steps). */
const CHART_REFRESH_MS = 5 * 60_000;

/** The latest sample, live from the usage stream while the screen is open; closed when it is left. */
function useLiveUsage(wsId: string) {
  const [usage, setUsage] = useState<Usage | undefined>(undefined);
  const [live, setLive] = useState(true);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  useEffect(() => {
    setUsage(undefined);
    setProblem(undefined);
    return followUsage(wsId, {
      usage: (u) => {
        setUsage(u);
        setProblem(undefined);
      },
      live: setLive,
      problem: setProblem,
    });
  }, [wsId]);
  return { usage, live, problem };
}

/** The last 24 hours, read again when a new sample arrives and every few minutes. */
function useDay(wsId: string, sampledAt: string | null | undefined) {
  const day = useLoad(
    () =>
      api.GET('/api/v1/workspaces/{wsId}/usage', {
        params: { path: { wsId }, query: { range: '24h' } },
      }),
    [wsId, sampledAt],
  );
  useEffect(() => {
    const timer = setInterval(day.reload, CHART_REFRESH_MS);
    return () => clearInterval(timer);
  }, [wsId]);
  const data = typeof day.data === 'object' && 'series' in day.data ? (day.data as UsageSeries) : undefined;
  return { data, problem: day.problem };
}

/**
 * Whether the numbers are current: stale ones (the API says why) and ones the stream may have missed are never
 * shown as if they were. In a live region, so a change of state is announced without moving the reader.
 */
function Freshness({ usage, live }: { usage: Usage; live: boolean }) {
  return (
    <div aria-live="polite">
      {usage.sampledAt === null ? (
        <div class="notice warn">
          <p>
            <strong>No sample yet.</strong>{' '}
            {usage.staleReason && !/^No sample/.test(usage.staleReason)
              ? usage.staleReason
              : 'Usage shows here once the running workspace has been sampled.'}
          </p>
        </div>
      ) : usage.stale ? (
        <div class="notice warn usage-stale">
          <p>
            <strong>Stale:</strong> {usage.staleReason ?? 'The numbers are old.'} These are the numbers of the
            last sample, taken {sampleTime(usage.sampledAt)}.
          </p>
        </div>
      ) : !live ? (
        <div class="notice warn">
          <p>
            <strong>Reconnecting…</strong> Live updates stopped; these numbers are from{' '}
            {sampleTime(usage.sampledAt)}.
          </p>
        </div>
      ) : (
        <p class="muted">Live. Last sample {sampleTime(usage.sampledAt)}.</p>
      )}
    </div>
  );
}

/** `/workspaces/{wsId}/usage`: usage against quota, summed and per project, live; and the last 24 hours. */
export function UsageSection({ ws }: { ws: Workspace }) {
  const { usage, live, problem } = useLiveUsage(ws.id);
  const day = useDay(ws.id, usage?.sampledAt);
  // Numbers not to be taken as current: the API says they are stale, or the stream is down.
  const old = !!usage && (usage.stale || !live);
  return (
    <>
      <section aria-labelledby="usage" class="card">
        <h2 id="usage">Usage</h2>
        <ErrorMessage problem={problem} />
        {!usage ? (
          !problem && <Loading what="usage" />
        ) : (
          <>
            <Freshness usage={usage} live={live} />
            {usage.sampledAt !== null && <Meters quota={usage.quota} old={old} />}
          </>
        )}
      </section>
      {usage?.sampledAt && (
        <section aria-labelledby="usage-projects" class="card">
          <h2 id="usage-projects">Usage by project</h2>
          <ProjectUsage wsId={ws.id} usage={usage} old={old} />
        </section>
      )}
      <section aria-labelledby="usage-day" class="card">
        <h2 id="usage-day">Last 24 hours</h2>
        <ErrorMessage problem={day.problem} />
        {!day.data ? (
          !day.problem && <Loading what="the last 24 hours" />
        ) : (
          <UsageHistory series={day.data} />
        )}
      </section>
    </>
  );
}
