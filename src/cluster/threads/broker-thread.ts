// The entry point of one broker thread of `creek cluster --threads`: a whole Creek broker (its
// own event loop, listeners, logs and coordinators) whose cluster state — metadata store and
// membership — lives with the host thread and reaches it over the thread's port.
import { parentPort, workerData } from 'node:worker_threads';
import { runBroker, type RunningBroker } from '../../broker.js';
import { loadBrokerConfig } from '../../config/broker-config.js';
import { cliLogger } from '../../cli/logger.js';
import { BrokerThreadState } from './broker-thread-state.js';
import type { BrokerThreadData, ToBrokerThread } from './thread-messages.js';

const data = workerData as BrokerThreadData;
const port = parentPort!;
const state = new BrokerThreadState(port, data);
let running: RunningBroker | undefined;
let stopRequested = false;

const stop = async (): Promise<void> => {
  await running?.stop();
  state.send({ type: 'stopped' });
  port.close();
};

port.on('message', (message: ToBrokerThread) => {
  if (message.type !== 'stop') return state.receive(message);
  stopRequested = true;
  // A stop during start-up waits for it to finish: nothing is left half-written.
  if (running !== undefined) void stop();
});

const config = loadBrokerConfig({ argv: data.argv, env: process.env });
const log = cliLogger(config.logLevel, config.logFormat).child({ broker: data.nodeId });
running = await runBroker({ ...config, clusterId: data.clusterId }, log, { metadata: state.metadata, membership: state.membership });
if (stopRequested) await stop();
else state.send({ type: 'ready' });
