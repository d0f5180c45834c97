import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * The OpenTelemetry SDK exporting over OTLP/HTTP (JSON) to `{endpoint}/v1/traces`, as the specification builds the
 * traces URL from OTEL_EXPORTER_OTLP_ENDPOINT. Loaded only by processes that export (index.ts), so the others do
 * not carry it. Spans leave in batches (every 5 s, or 512 at a time), off the request path.
 */
export function exportingProvider(serviceName: string, endpoint: string): BasicTracerProvider {
  return new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` })),
    ],
  });
}
