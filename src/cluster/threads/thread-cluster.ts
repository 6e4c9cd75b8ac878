// Several brokers in one process, one thread each (`creek cluster --threads`): a Creek cluster
// without etcd whose brokers each run on their own event loop, so the work of the partitions they
// lead spreads over the machine's cores. This thread hosts what the brokers share — the metadata
// store (files under <dataDir>/metadata) and the in-process membership registry that elects the
// controller — and answers their calls for it; clients see an ordinary cluster of N brokers.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { InProcessMembershipRegistry } from '../in-process-membership.js';
import type { Membership } from '../membership.js';
import { FileMetadataStore } from '../../metadata/file-metadata-store.js';
import type { MetadataStore } from '../../metadata/metadata-store.js';
import { newKafkaUuid } from '../../kafka-uuid.js';
import { readIfExists, writeFileAtomic } from '../../log/atomic-file.js';
import { lockDataDir } from '../../log/data-dir-lock.js';
import { StateHost } from './state-host.js';
import type { BrokerThreadData } from './thread-messages.js';

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
  // The cluster's own files (its id, the metadata) are this process's alone, as each broker's data dir is its own.
  const lock = lockDataDir(options.dataDir);
  const clusterId = await clusterIdOf(options.dataDir);
  const registry = new InProcessMembershipRegistry();
  const store = FileMetadataStore.open(join(options.dataDir, 'metadata'), options.log, () => registry.controllerEpoch());
  const threads: HostedBroker[] = [];
  let reportFailure: (failure: { nodeId: number; error: Error }) => void = () => undefined;
  const failed = new Promise<{ nodeId: number; error: Error }>((resolve) => (reportFailure = resolve));
  let stopping = false;

  const stop = async (): Promise<void> => {
    stopping = true;
    await Promise.all(threads.map((t) => t.stop()));
    lock.release();
  };
  // Only start-up waits on this; a later failure is the caller's to handle through `failed`.
  const failedToStart = failed.then(({ nodeId, error }) => Promise.reject(new Error(`broker ${nodeId} failed to start: ${error.message}`)));
  failedToStart.catch(() => undefined);
  try {
    for (let nodeId = 1; nodeId <= options.brokers; nodeId++) {
      const hosted = new HostedBroker(store, registry.membership(), (error) => {
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
  return { failed, stop };
}

/** One broker thread: its worker, and the host's side of its port. */
class HostedBroker {
  private worker: Worker | undefined;
  private readonly host: StateHost;
  private markReady: () => void = () => undefined;
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));
  private markStopped: () => void = () => undefined;
  private readonly stopped = new Promise<void>((resolve) => (this.markStopped = resolve));

  constructor(
    store: MetadataStore,
    membership: Membership,
    private readonly onFailure: (error: Error) => void,
  ) {
    this.host = new StateHost(store, membership);
  }

  start(data: Omit<BrokerThreadData, 'documents' | 'membership'>): void {
    const worker = brokerThread({ ...data, ...this.host.snapshot() });
    this.worker = worker;
    this.host.serve(worker, { ready: this.markReady, stopped: this.markStopped });
    worker.on('error', (error) => this.onFailure(error));
    worker.on('exit', (code) => {
      this.markStopped();
      this.host.close();
      this.onFailure(new Error(`the broker thread exited (code ${code})`));
    });
  }

  async stop(): Promise<void> {
    if (this.worker === undefined) return;
    this.host.send({ type: 'stop' });
    await this.stopped;
    await this.worker.terminate();
  }
}
