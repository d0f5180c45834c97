import { KubeError } from '../k8s/rest';
import { REASON } from './status';

/**
 * Not done yet, nothing wrong: the caller retries later (503 to the dispatcher, which backs off; or the next
 * tick). The condition it waits on is already recorded as Unknown with `reason`.
 */
export class Requeue extends Error {
  readonly code = 'REQUEUE';
  constructor(
    message: string,
    readonly reason: string = REASON.progressing,
  ) {
    super(message);
    this.name = 'Requeue';
  }
}

/**
 * Retrying cannot fix it (the release failed for this generation, a plan row is missing, the host API refused a
 * request): the workspace becomes ERROR with `reason` and the message, its task fails, and the worker answers 2xx
 * so the dispatcher stops. The next change of the workspace (or the resync period) tries again.
 */
export class TerminalError extends Error {
  readonly code = 'TERMINAL';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'TerminalError';
  }
}

/** The API server's reason for an HTTP status, as metav1.Status names it. */
const STATUS_REASON: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
};

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * What a condition says about a failure. Only what is fit to show the workspace's users: API servers' own messages
 * (they name objects, never credentials) and network error text; the admin kubeconfig never reaches an error.
 */
export function failureOf(err: unknown): { reason: string; message: string } {
  const e = err as Error & { code?: unknown; reason?: unknown };
  if (err instanceof TerminalError || err instanceof Requeue)
    return { reason: e.reason as string, message: e.message };
  if (err instanceof KubeError) {
    const reason =
      err.status >= 500 ? REASON.serverError : (STATUS_REASON[err.status] ?? `HTTP${err.status}`);
    return { reason, message: (err.serverMessage ?? err.message).slice(0, 500) };
  }
  const unreachable =
    (typeof e?.code === 'string' && NETWORK_CODES.has(e.code)) || /timed out/.test(String(e?.message));
  return {
    reason: unreachable ? REASON.unreachable : REASON.failed,
    message: String(e?.message ?? err).slice(0, 500),
  };
}

/**
 * The host API's refusals that retrying cannot change (forbidden, invalid, an unknown kind): terminal. Conflicts,
 * throttling and request timeouts stay transient, as does everything that is not an API answer.
 */
export function terminalIfRefused(err: unknown): unknown {
  if (!(err instanceof KubeError) || err.status < 400 || err.status >= 500) return err;
  if ([408, 409, 429].includes(err.status)) return err;
  const { reason, message } = failureOf(err);
  return new TerminalError(REASON.hostRejected, `The host cluster refused a request (${reason}): ${message}`);
}
