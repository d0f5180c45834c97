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

export type ReadinessCheck = () => Promise<void>;
