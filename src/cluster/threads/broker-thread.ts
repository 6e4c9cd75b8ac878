// The entry point of one broker thread of `creek cluster --threads`: a whole Creek broker (its
// own event loop, listeners, logs and coordinators) whose cluster state — metadata store and
// membership — lives with the host thread and reaches it over the thread's port.
import { parentPort, workerData } from 'node:worker_threads';
import { runBroker, type RunningBroker } from '../../broker.js';
import { loadBrokerConfig } from '../../config/broker-config.js';
import { cliLogger } from '../../cli/logger.js';
import { HostLink } from './host-link.js';
import { ThreadMembership } from './thread-membership.js';
import { ThreadMetadataStore } from './thread-metadata-store.js';
import type { BrokerThreadData, ToBrokerThread } from './thread-messages.js';

const data = workerData as BrokerThreadData;
const port = parentPort!;
const membership = new ThreadMembership(data.membership);
const host = new HostLink(port, (state) => membership.apply(state));
membership.connect(host);
const metadata = new ThreadMetadataStore(host, data.documents);
let running: RunningBroker | undefined;
let stopRequested = false;

const stop = async (): Promise<void> => {
  await running?.stop();
  host.send({ type: 'stopped' });
  port.close();
};

port.on('message', (message: ToBrokerThread) => {
  switch (message.type) {
    case 'change':
      return metadata.apply(message.change);
    case 'membership':
      return membership.apply(message.state);
    case 'reply':
      return host.reply(message.id, message.state, message.result, message.error);
    case 'elected':
      return membership.elected(message.campaign, message.controllerEpoch);
    case 'lost':
      return membership.lost(message.campaign);
    case 'stop':
      stopRequested = true;
      // A stop during start-up waits for it to finish: nothing is left half-written.
      if (running !== undefined) void stop();
  }
});

const config = loadBrokerConfig({ argv: data.argv, env: process.env });
const log = cliLogger(config.logLevel, config.logFormat).child({ broker: data.nodeId });
running = await runBroker({ ...config, clusterId: data.clusterId }, log, { metadata, membership });
if (stopRequested) await stop();
else host.send({ type: 'ready' });
