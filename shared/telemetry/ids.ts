import { randomBytes } from 'node:crypto';
import {
  type Context,
  context,
  isSpanContextValid,
  type Span,
  type SpanOptions,
  TraceFlags,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';

/**
 * The tracer of a process that exports nothing: every span gets real ids (a child keeps its parent's trace id),
 * so log lines carry a traceId and events carry a traceparent, but nothing is recorded. The SDK and the exporter
 * (~55 KB) load only where spans go somewhere.
 *
 * A new trace is marked sampled, as the SDK's default sampler would: a process that exports downstream of this one
 * records its part of the trace instead of dropping it because an upstream process exported nothing.
 */
class IdTracer implements Tracer {
  // Random bytes drawn 4 KB at a time: a randomBytes call per span would cost more than the rest of the span.
  #pool = Buffer.alloc(0);
  #at = 0;

  #hex(bytes: number): string {
    if (this.#at + bytes > this.#pool.length) {
      this.#pool = randomBytes(4096);
      this.#at = 0;
    }
    this.#at += bytes;
    return this.#pool.toString('hex', this.#at - bytes, this.#at);
  }

  startSpan(_name: string, options?: SpanOptions, ctx: Context = context.active()): Span {
    const parent = options?.root ? undefined : trace.getSpanContext(ctx);
    const inherited = parent && isSpanContextValid(parent) ? parent : undefined;
    return trace.wrapSpanContext({
      traceId: inherited?.traceId ?? this.#hex(16),
      spanId: this.#hex(8),
      traceFlags: inherited?.traceFlags ?? TraceFlags.SAMPLED,
      ...(inherited?.traceState ? { traceState: inherited.traceState } : {}),
    });
  }

  // The API's overloads: (name, fn), (name, options, fn), (name, options, context, fn).
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...args: unknown[]): ReturnType<F> {
    const fn = args.at(-1) as F;
    const options = args.length > 1 ? (args[0] as SpanOptions) : undefined;
    const ctx = args.length > 2 ? (args[1] as Context) : context.active();
    const span = this.startSpan(name, options, ctx);
    return context.with(trace.setSpan(ctx, span), () => fn(span) as ReturnType<F>);
  }
}

export class IdTracerProvider implements TracerProvider {
  readonly #tracer = new IdTracer();
  getTracer(): Tracer {
    return this.#tracer;
  }
}
