import { runProcess } from '../shared/platform/run';
import { createLocalServer } from './local-server';

// Local runs always migrate: the embedded PGlite database starts empty on a fresh clone.
await runProcess('hexabase', async (platform) => createLocalServer(platform), { migrate: true });
