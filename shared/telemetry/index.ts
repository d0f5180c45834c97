import { type ProxyTracerProvider, type TracerProvider, trace } from '@opentelemetry/api';
import { useAsyncContext } from './context';
import { IdTracerProvider } from './ids';

export type TelemetryOptions = {
  /** The resource's `service.name`: the function's name. */
  serviceName: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: where spans go over OTLP/HTTP; without it they get ids and go nowhere. */
  endpoint?: string | undefined;
};

type Flushable = TracerProvider & { forceFlush?: () => Promise<void>; shutdown?: () => Promise<void> };

/**
 * Installs the process's context manager and tracer provider, the OpenTelemetry API's globals. The first call
 * wins: the API refuses a second provider, and this discards the one it built, so a process that builds several
 * platforms (tests, the local server) keeps the first one's service name and endpoint.
 */
export async function installTelemetry(opts: TelemetryOptions): Promise<void> {
  useAsyncContext();
  const provider: Flushable = opts.endpoint
    ? (await import('./export')).exportingProvider(opts.serviceName, opts.endpoint)
    : new IdTracerProvider();
  if (!trace.setGlobalTracerProvider(provider)) await provider.shutdown?.();
}

/** Sends the spans still buffered (at shutdown, so the last requests' spans are not lost). */
export async function flushTelemetry(): Promise<void> {
  const installed = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate() as Flushable;
  await installed.forceFlush?.();
}
