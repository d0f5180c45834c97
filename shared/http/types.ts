import type { Principal } from '../auth/context';
import type { Logger } from '../log';

/** Context variables every Hexabase app sets; capabilities (auth, …) extend this. */
export type AppVariables = {
  requestId: string;
  log: Logger;
  /** Set by the authenticate middleware; absent for anonymous requests. */
  principal?: Principal;
};

export type AppEnv = { Variables: AppVariables };

/** What a signed-in operation's handler sees: mountOperations refuses the request (401) before it runs otherwise. */
export type SignedInEnv = { Variables: AppVariables & { principal: Principal } };

export type ReadinessCheck = () => Promise<void>;

/**
 * Thrown by a readiness check that reached its dependency and found it not fit to serve yet: /readyz reports
 * `state` (e.g. `not migrated`) instead of `unavailable`, so an operator sees which of the two to fix.
 */
export class NotReadyError extends Error {
  constructor(
    readonly state: string,
    message: string,
  ) {
    super(message);
    this.name = 'NotReadyError';
  }
}
