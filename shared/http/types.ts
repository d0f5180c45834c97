import type { Logger } from '../log';

/** Context variables every Hexabase app sets; capabilities (auth, …) extend this. */
export type AppVariables = {
  requestId: string;
  log: Logger;
};

export type AppEnv = { Variables: AppVariables };

export type ReadinessCheck = () => Promise<void>;
