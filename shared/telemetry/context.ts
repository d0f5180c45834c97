import {
  type Context,
  context,
  createContextKey,
  isSpanContextValid,
  ROOT_CONTEXT,
  type SpanContext,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/**
 * What a log line says about the request or event delivery it was written in. Mutable on purpose: the ids of
 * the organization and workspace become known only once the event's data (or a route's parameters) is read, and
 * the lines written from then on should carry them.
 */
export type RequestScope = { function: string; reqId: string; orgId?: string; wsId?: string };

const SCOPE = createContextKey('hexabase.request');

/**
 * Makes the active context follow async calls (AsyncLocalStorage), so a span started by the edge is the parent of
 * whatever runs below it, and a log line knows its request without being handed a logger made for it. The
 * context manager is the OpenTelemetry API's one global; registering it again is refused by the API, which is
 * what makes this safe to call once per app.
 */
export function useAsyncContext(): void {
  const manager = new AsyncLocalStorageContextManager();
  if (context.setGlobalContextManager(manager.enable())) return;
  manager.disable();
}

export const withRequestScope = (ctx: Context, scope: RequestScope): Context => ctx.setValue(SCOPE, scope);

const activeScope = () => context.active().getValue(SCOPE) as RequestScope | undefined;

/** Adds the organization or workspace a request turned out to be about to its later log lines. */
export function annotateRequest(ids: { orgId?: string | undefined; wsId?: string | undefined }): void {
  const scope = activeScope();
  if (!scope) return;
  if (ids.orgId) scope.orgId = ids.orgId;
  if (ids.wsId) scope.wsId = ids.wsId;
}

type LogFields = {
  function: string;
  reqId?: string;
  orgId?: string;
  wsId?: string;
  traceId?: string;
  spanId?: string;
};

/**
 * The fields every log line gets from where it was written (pino's mixin): the function (the app serving the
 * request, else the logger's own name), the request id, the organization and workspace once known, and the
 * active span's ids. Outside a request or span only the function.
 */
export function logFields(fallbackFunction: string): LogFields {
  const active = context.active();
  const scope = active.getValue(SCOPE) as RequestScope | undefined;
  const fields: LogFields = { function: scope?.function ?? fallbackFunction };
  if (scope) {
    fields.reqId = scope.reqId;
    if (scope.orgId) fields.orgId = scope.orgId;
    if (scope.wsId) fields.wsId = scope.wsId;
  }
  const span = trace.getSpanContext(active);
  if (span && isSpanContextValid(span)) {
    fields.traceId = span.traceId;
    fields.spanId = span.spanId;
  }
  return fields;
}

// W3C Trace Context: version 00 is what this code writes; a later version may append fields, which are ignored,
// and version ff is invalid. (@opentelemetry/core has this parser, but importing it here would move the part of
// core the SDK chunk uses into what every function loads at start.)
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The W3C `traceparent` (version 00) of a span context, or undefined when it is not a valid one. */
export function formatTraceparent(span: SpanContext | undefined): string | undefined {
  if (!span || !isSpanContextValid(span)) return undefined;
  return `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The remote span context a `traceparent` names, or undefined when it is absent or malformed. */
export function parseTraceparent(value: unknown): SpanContext | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TRACEPARENT.exec(value.trim());
  if (!m || m[1] === 'ff' || (m[1] === '00' && m[5] !== undefined)) return undefined;
  const span = { traceId: m[2]!, spanId: m[3]!, traceFlags: Number.parseInt(m[4]!, 16), isRemote: true };
  return isSpanContextValid(span) ? span : undefined;
}

/** The active span's `traceparent` (what an event written now carries on), if a span is active. */
export const activeTraceparent = (ctx: Context = context.active()): string | undefined =>
  formatTraceparent(trace.getSpanContext(ctx));

/** `base` with the span a `traceparent` names as the parent of spans started in it; `base` itself if none. */
export function continueTrace(traceparent: unknown, base: Context = ROOT_CONTEXT): Context {
  const remote = parseTraceparent(traceparent);
  return remote ? trace.setSpanContext(base, remote) : base;
}
