// Several brokers in one process, one thread each (`creek cluster --threads`): a Creek cluster
// without etcd whose brokers each run on their own event loop, so the work of the partitions they
// lead spreads over the machine's cores. This thread hosts what the brokers share — the metadata
// store (files under <dataDir>/metadata) and the in-process membership registry that elects the
// controller — and answers their calls for it; clients see an ordinary cluster of N brokers.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { InProcessMembershipRegistry } from '../in-process-membership.js';
import type { ControllerCampaign, Membership } from '../membership.js';
import { FileMetadataStore } from '../../metadata/file-metadata-store.js';
import { METADATA_KINDS, type ControllerFence, type MetadataStore } from '../../metadata/metadata-store.js';
import { newKafkaUuid } from '../../kafka-uuid.js';
import { readIfExists, writeFileAtomic } from '../../log/atomic-file.js';
import { toCallError } from './host-link.js';
import type { BrokerThreadData, DocumentMessage, HostCall, MembershipState, ToBrokerThread, ToHost } from './thread-messages.js';

export interface ThreadClusterOptions {
  /** How many brokers (node ids 1..brokers). */
  brokers: number;
  /** Holds the cluster id, the shared metadata (metadata/) and each broker's data (broker-N/). */
  dataDir: string;
  /** Each broker's `creek` command line: its port, data dir, node id and settings. */
  argvOf: (nodeId: number) => string[];
  log: Logger;
}

export interface RunningThreadCluster {
  readonly clusterId: string;
  /** Settles when a broker thread fails (an uncaught error, or an exit it was not asked for). */
  readonly failed: Promise<{ nodeId: number; error: Error }>;
  /** Stops every broker cleanly (each hands on its leaderships and leaves the live set). */
  stop(): Promise<void>;
}

/** The worker entry: the built .js, or from source the .ts after registering tsx as the parent process did. */
function brokerThread(data: BrokerThreadData): Worker {
  const entry = new URL(`./broker-thread${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return new Worker(entry, { workerData: data });
  const loader = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true, workerData: data });
}

async function clusterIdOf(dataDir: string): Promise<string> {
  const path = join(dataDir, 'cluster.id');
  const stored = readIfExists(path)?.toString('utf8').trim();
  if (stored !== undefined && stored !== '') return stored;
  const id = newKafkaUuid();
  await writeFileAtomic(path, `${id}\n`);
  return id;
}

export async function startThreadCluster(options: ThreadClusterOptions): Promise<RunningThreadCluster> {
  mkdirSync(options.dataDir, { recursive: true });
  const clusterId = await clusterIdOf(options.dataDir);
  const registry = new InProcessMembershipRegistry();
  const store = FileMetadataStore.open(join(options.dataDir, 'metadata'), options.log, () => registry.controllerEpoch());
  const membershipState = (): MembershipState => ({ live: [...registry.live()], controllerId: registry.controllerId() });
  const threads: HostedBroker[] = [];
  let reportFailure: (failure: { nodeId: number; error: Error }) => void = () => undefined;
  const failed = new Promise<{ nodeId: number; error: Error }>((resolve) => (reportFailure = resolve));
  let stopping = false;

  const stop = async (): Promise<void> => {
    stopping = true;
    await Promise.all(threads.map((t) => t.stop()));
  };
  // Only start-up waits on this; a later failure is the caller's to handle through `failed`.
  const failedToStart = failed.then(({ nodeId, error }) => Promise.reject(new Error(`broker ${nodeId} failed to start: ${error.message}`)));
  failedToStart.catch(() => undefined);
  try {
    for (let nodeId = 1; nodeId <= options.brokers; nodeId++) {
      const hosted = new HostedBroker(nodeId, store, registry.membership(), membershipState, (error) => {
        if (stopping) return;
        // The registry drops it at once, as a lapsed lease would: the controller moves its leaderships.
        registry.expire(nodeId);
        reportFailure({ nodeId, error });
      });
      threads.push(hosted);
      hosted.start({ nodeId, clusterId, argv: options.argvOf(nodeId) });
      // One after the other, as `creek cluster` starts processes: the first broker's internal topics are there for the next.
      await Promise.race([hosted.ready, failedToStart]);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { clusterId, failed, stop };
}

/** One broker thread and the host's side of its port. */
class HostedBroker {
  private worker: Worker | undefined;
  private readonly campaigns = new Map<number, ControllerCampaign>();
  private markReady: () => void = () => undefined;
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));
  private markStopped: () => void = () => undefined;
  private readonly stopped = new Promise<void>((resolve) => (this.markStopped = resolve));
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly nodeId: number,
    private readonly store: MetadataStore,
    private readonly membership: Membership,
    private readonly membershipState: () => MembershipState,
    private readonly onFailure: (error: Error) => void,
  ) {}

  start(data: Omit<BrokerThreadData, 'documents' | 'membership'>): void {
    // The documents are read and forwarding starts in the same turn: no change falls between them.
    const documents: DocumentMessage[] = METADATA_KINDS.flatMap((kind) => [...this.store.list(kind)].map(([key, d]) => ({ kind, key, value: d.value, version: d.version })));
    for (const kind of METADATA_KINDS) this.unsubscribe.push(this.store.watch(kind, (change) => this.send({ type: 'change', change })));
    this.unsubscribe.push(this.membership.watchLive(() => this.send({ type: 'membership', state: this.membershipState() })));
    this.unsubscribe.push(this.membership.watchController(() => this.send({ type: 'membership', state: this.membershipState() })));
    const worker = brokerThread({ ...data, documents, membership: this.membershipState() });
    this.worker = worker;
    worker.on('message', (message: ToHost) => this.receive(message));
    worker.on('error', (error) => this.onFailure(error));
    worker.on('exit', (code) => {
      this.markStopped();
      for (const u of this.unsubscribe) u();
      this.onFailure(new Error(`the broker thread exited (code ${code})`));
    });
  }

  async stop(): Promise<void> {
    if (this.worker === undefined) return;
    this.send({ type: 'stop' });
    await this.stopped;
    await this.worker.terminate();
  }

  private receive(message: ToHost): void {
    switch (message.type) {
      case 'ready':
        return this.markReady();
      case 'stopped':
        this.markStopped();
        return;
      case 'call':
        this.perform(message.call).then(
          (result) => this.send({ type: 'reply', id: message.id, result, state: this.membershipState() }),
          (err: unknown) => this.send({ type: 'reply', id: message.id, error: toCallError(err), state: this.membershipState() }),
        );
    }
  }

  private async perform(call: HostCall): Promise<number | undefined> {
    const fence = (epoch: number | undefined): ControllerFence | undefined => (epoch === undefined ? undefined : { controllerEpoch: epoch });
    switch (call.op) {
      case 'put':
        return this.store.put(call.kind, call.key, call.value, call.expectedVersion, fence(call.controllerEpoch));
      case 'delete':
        return void (await this.store.delete(call.kind, call.key, call.expectedVersion, fence(call.controllerEpoch)));
      case 'register':
        return void (await this.membership.register(call.registration));
      case 'campaign':
        this.campaigns.set(
          call.campaign,
          this.membership.campaign(
            (controllerEpoch) => this.send({ type: 'elected', campaign: call.campaign, controllerEpoch }),
            () => this.send({ type: 'lost', campaign: call.campaign }),
          ),
        );
        return undefined;
      case 'resign':
        await this.campaigns.get(call.campaign)?.resign();
        this.campaigns.delete(call.campaign);
        return undefined;
      case 'close':
        return void (await this.membership.close());
    }
  }

  private send(message: ToBrokerThread): void {
    this.worker?.postMessage(message);
  }
}
