import {
  type Attributes,
  type Context,
  context,
  type Span,
  type SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';

/**
 * Hexabase's tracer, from the process's provider (installTelemetry). Asked for on each use rather than kept: the
 * API hands out a proxy that follows whichever provider is installed, and asking costs a map lookup.
 */
export const tracer = (): Tracer => trace.getTracer('hexabase');

/**
 * Runs `fn` in a new span (a child of `parent`, by default the active context's span) that is active below it,
 * and ends it when `fn` settles. A rejection marks the span as failed with the error's kind only (`errorType`, by
 * default the error's name): messages may quote what they failed on, and spans leave the process.
 */
export async function inSpan<T>(
  name: string,
  opts: {
    kind: SpanKind;
    attributes?: Attributes;
    parent?: Context;
    errorType?: (err: unknown) => string | undefined;
  },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = opts.parent ?? context.active();
  const span = tracer().startSpan(
    name,
    { kind: opts.kind, ...(opts.attributes ? { attributes: opts.attributes } : {}) },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    failed(span, err, opts.errorType?.(err));
    throw err;
  } finally {
    span.end();
  }
}

/** Marks a span as failed, with the error's kind (`error.type`) and never its message. */
export function failed(span: Span, err: unknown, type?: string): void {
  const kind = type ?? (err instanceof Error ? err.name : typeof err);
  span.setAttribute('error.type', kind);
  span.setStatus({ code: SpanStatusCode.ERROR, message: kind });
}
