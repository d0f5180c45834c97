import { connectNats } from '../../shared/events/nats';
import { runProcess } from '../../shared/platform/run';
import { relayProcess } from './process';

await runProcess('relay', relayProcess, { connectNats });
