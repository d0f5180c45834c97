import { connect, type NatsConnection } from '@nats-io/transport-node';
import { OperatorError } from '../errors';

export type NatsHandle = {
  nc: NatsConnection;
  ping: () => Promise<void>;
  close: () => Promise<void>;
};

export class NatsUnavailableError extends OperatorError {
  constructor(message: string, options?: ErrorOptions) {
    super('NATS_UNAVAILABLE', message, options);
  }
}

/** Connects once; afterwards the client reconnects forever, and readiness reports the gaps. */
export async function connectNats(url: string, name: string): Promise<NatsHandle> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: url,
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      timeout: 3000,
    });
  } catch (err) {
    const u = new URL(url);
    throw new NatsUnavailableError(
      `cannot connect to NATS at ${u.hostname}:${u.port || 4222}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return {
    nc,
    ping: async () => {
      if (nc.isClosed()) throw new Error('closed');
      await nc.flush();
    },
    close: () => nc.drain(),
  };
}
