// startCluster(): several brokers in one process, for tests and experiments. Each broker has its
// own listeners (PLAINTEXT, or those the `listeners` property names) on loopback ports chosen
// once (so a restarted broker comes back at the same addresses) and its own data dir in a
// temporary directory; they share an in-memory metadata store and an in-process Membership,
// elect a controller among themselves and replicate over real sockets with Kafka's protocol.
// Brokers can be stopped cleanly, killed (connections dropped at once, leadership lost at once),
// restarted, and partition leadership moved on purpose.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker, type StartOptions } from './broker.js';
import { formatListeners, parseListeners, type Endpoint } from './config/listeners.js';
import { InProcessMembershipRegistry } from './cluster/in-process-membership.js';
import { MemoryMetadataStore } from './metadata/memory-metadata-store.js';
import { newKafkaUuid } from './kafka-uuid.js';
import { freeLoopbackPort } from './server/free-port.js';

const HOST = '127.0.0.1';

export interface ClusterOptions {
  /** How many brokers (node ids 1..brokers). Default 3. */
  brokers?: number;
  /**
   * Options given to every broker (Kafka config keys in `properties`, log level, ...). A
   * `listeners` property names the listeners each broker serves (e.g. `PLAINTEXT://:0,SSL://:0`);
   * each gets a free loopback port per broker, and the first carries replication.
   */
  brokerOptions?: Omit<StartOptions, 'port' | 'host' | 'advertisedHost' | 'advertisedPort' | 'nodeId' | 'dataDir' | 'memory' | 'cluster' | 'clusterId'>;
}

export interface RunningCluster {
  readonly clusterId: string;
  /** Every broker's address on the first listener, comma-separated, for clients' bootstrap.servers. */
  readonly bootstrap: string;
  /** Every broker's address on the named listener (e.g. SSL), comma-separated; undefined when brokers do not serve it. */
  listenerBootstrap(listenerName: string): string | undefined;
  /** The node ids, running or not. */
  readonly nodeIds: readonly number[];
  /** A running broker, or undefined while it is stopped or killed. */
  broker(nodeId: number): RunningBroker | undefined;
  /** The controller's node id (-1 while there is none). */
  controllerId(): number;
  /** Stops a broker cleanly. */
  stop(nodeId: number): Promise<void>;
  /** Kills a broker: it leaves the live set and drops its connections at once. */
  kill(nodeId: number): Promise<void>;
  /** Starts a stopped or killed broker again, with its data. */
  start(nodeId: number): Promise<void>;
  /** Makes `toBroker` lead the partition (it must be a live in-sync replica); resolves once the controller wrote it. */
  moveLeader(topic: string, partition: number, toBroker: number): Promise<void>;
  /** Stops every broker and removes the data dirs. */
  close(): Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<RunningCluster> {
  const count = options.brokers ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new Error(`brokers must be a positive integer, not ${count}`);
  const clusterId = newKafkaUuid();
  const root = await mkdtemp(join(tmpdir(), 'creek-cluster-'));
  const registry = new InProcessMembershipRegistry();
  const metadata = new MemoryMetadataStore(() => registry.controllerEpoch());
  const nodeIds = Array.from({ length: count }, (_, i) => i + 1);
  const configured = options.brokerOptions?.properties?.listeners;
  const listenerNames = configured === undefined ? ['PLAINTEXT'] : parseListeners(String(configured)).map((l) => l.name);
  // Others reach a broker by its registered addresses, so every listener gets a fixed port.
  const endpoints = new Map<number, Endpoint[]>();
  for (const id of nodeIds) {
    const list: Endpoint[] = [];
    for (const name of listenerNames) list.push({ name, host: HOST, port: await freeLoopbackPort(HOST) });
    endpoints.set(id, list);
  }
  const listenerBootstrap = (name: string): string | undefined => {
    if (!listenerNames.includes(name)) return undefined;
    return nodeIds.map((id) => endpoints.get(id)!.find((e) => e.name === name)!).map((e) => `${e.host}:${e.port}`).join(',');
  };
  const running = new Map<number, RunningBroker>();

  const start = async (nodeId: number): Promise<void> => {
    if (running.has(nodeId)) throw new Error(`broker ${nodeId} is running`);
    const broker = await startBroker({
      ...options.brokerOptions,
      properties: { ...options.brokerOptions?.properties, listeners: formatListeners(endpoints.get(nodeId)!) },
      // startBroker's own default port (0) would otherwise take the first listener's place.
      port: endpoints.get(nodeId)![0]!.port,
      nodeId,
      clusterId,
      dataDir: join(root, `broker-${nodeId}`),
      cluster: { metadata, membership: registry.membership() },
    });
    running.set(nodeId, broker);
  };
  const known = (nodeId: number): RunningBroker | undefined => {
    if (!endpoints.has(nodeId)) throw new Error(`no broker ${nodeId} in this cluster`);
    return running.get(nodeId);
  };

  const cluster: RunningCluster = {
    clusterId,
    bootstrap: listenerBootstrap(listenerNames[0]!)!,
    listenerBootstrap,
    nodeIds,
    broker: (nodeId) => running.get(nodeId),
    controllerId: () => registry.controllerId(),
    start: (nodeId) => {
      known(nodeId);
      return start(nodeId);
    },
    async stop(nodeId) {
      const broker = known(nodeId);
      running.delete(nodeId);
      await broker?.stop();
    },
    async kill(nodeId) {
      const broker = known(nodeId);
      running.delete(nodeId);
      // Liveness lapses first, as a lost lease would: the controller moves leadership at once.
      registry.expire(nodeId);
      await broker?.kill();
    },
    async moveLeader(topic, partition, toBroker) {
      const controller = running.get(registry.controllerId())?.broker.member?.controller;
      if (controller === undefined) throw new Error('no controller is running');
      const outcome = await controller.electLeader(topic, partition, toBroker);
      if ('error' in outcome && outcome.error !== 'ELECTION_NOT_NEEDED') {
        throw new Error(`cannot move the leader of ${topic}-${partition} to broker ${toBroker}: ${outcome.error}`);
      }
    },
    async close() {
      const all = [...running.values()];
      running.clear();
      await Promise.all(all.map((b) => b.stop()));
      await rm(root, { recursive: true, force: true });
    },
  };
  try {
    for (const id of nodeIds) await start(id);
  } catch (err) {
    await cluster.close();
    throw err;
  }
  return cluster;
}
