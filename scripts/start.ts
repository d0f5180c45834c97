import { startEventBackbone } from '../shared/events/backbone';
import { runProcess } from '../shared/platform/run';
import { createLocalServer } from './local-server';

// Local runs always migrate (the embedded database starts empty on a fresh clone) and offer dev login, which
// the environment can still turn off with HEXABASE_DEV_LOGIN=false.
await runProcess(
  'hexabase',
  async (platform) => {
    const server = createLocalServer(platform);
    const backbone = await startEventBackbone(platform, {
      deliver: server.deliver,
      registry: server.registry,
    });
    return { ...server, onShutdown: backbone.stop };
  },
  {
    migrate: true,
    envDefaults: { HEXABASE_DEV_LOGIN: 'true' },
  },
);
