// startBroker(): wires configuration, storage, the engines and the listeners into one running
// broker, and stops it gracefully (in-flight requests finish, storage is flushed).
import pino, { type Logger } from 'pino';
import { resolveBrokerConfig, type BrokerConfig, type BrokerOptions } from './config/broker-config.js';
import type { ClientListener } from './config/client-listener.js';
import { ApiRegistry } from './apis/registry.js';
import { handlers } from './apis/index.js';
import type { BrokerServices } from './apis/api.js';
import { Listener } from './server/listener.js';
import { serverOptions } from './server/server-options.js';
import { SocketBuffers } from './server/socket-buffers.js';
import { FetchSessionCache } from './fetch/fetch-sessions.js';
import { TopicRegistry } from './topics/topic-registry.js';
import { TxnEngine } from './txn/txn-engine.js';
import { GroupCoordinator } from './groups/group-coordinator.js';
import { SaslAuthenticator } from './security/sasl-authenticator.js';
import { ScramCredentialStore } from './security/scram-credentials.js';
import { brokerConfigValue } from './config/describe-configs.js';
import { LogCleaner } from './log/log-cleaner.js';
import { AclAuthorizer } from './security/authorizer/acl-authorizer.js';
import { resolveAuthorizerConfig } from './security/authorizer/authorizer-config.js';
import { ClientQuotas } from './quotas/client-quotas.js';
import { QuotaMeter } from './quotas/quota-meter.js';
import { ReplicationQuota, type ReplicationQuotas, type ReplicationSide } from './quotas/replication-quota.js';
import { BrokerMetrics } from './metrics/broker-metrics.js';
import type { MetricsSource } from './metrics/metrics-state.js';
import type { HttpListener } from './http/http-listener.js';
import { SingleNodeCluster } from './cluster/single-node-cluster.js';
import { MultiNodeCluster } from './cluster/multi-node-cluster.js';
import { ConfigError } from './config/config-error.js';
import { ClusterMember } from './cluster/cluster-member.js';
import type { ClusterView } from './cluster/cluster-view.js';
import { TopicDescriptions } from './cluster/topic-descriptions.js';
import type { Membership } from './cluster/membership.js';
import { ReplicaManager } from './replica/replica-manager.js';
import { openMetadataStore } from './metadata/open-metadata-store.js';
import { FaultInjector, type OpenConnection } from './faults/fault-injector.js';
import type { MetadataStore } from './metadata/metadata-store.js';
import { claimNodeId } from './cluster/node-id-claim.js';
import { lockDataDir, type DataDirLock } from './log/data-dir-lock.js';
import { sharedWritePlacement } from './log/write-placement.js';
import { sharedWritebackPacer } from './log/writeback-pacer.js';
import { freeLoopbackPort } from './server/free-port.js';

/** A broker among several: the metadata store they share and its handle on their Membership. */
export interface ClusterMode {
  metadata: MetadataStore;
  membership: Membership;
}

export class Broker implements BrokerServices {
  readonly apis: ApiRegistry = new ApiRegistry(handlers, this);
  readonly fetchSessions = new FetchSessionCache();
  /** Prometheus counters moved by the request path, and gauges read from the engines at scrape time. */
  readonly metrics: BrokerMetrics = new BrokerMetrics((): MetricsSource | undefined => (this.groups === undefined ? undefined : this));
  readonly nodeId: number;
  /** When this broker started (ms since the epoch): the console's uptime. */
  readonly startedAt = Date.now();
  /** The brokers, partition leaders and coordinators as this broker knows them. */
  readonly cluster: ClusterView;
  readonly topicDescriptions: TopicDescriptions;
  /** The single node's view (advertised addresses of listeners bound to free ports); undefined in a cluster. */
  private readonly singleNode: SingleNodeCluster | undefined;
  /** This broker's part in a multi-broker cluster; undefined for a single node. */
  readonly member: ClusterMember | undefined;
  /** The partitions hosted here; every produce, fetch and offset lookup goes through it. */
  readonly replicas: ReplicaManager;
  /** Injected faults for tests (creek.faults.enable); refuses every injection when off. */
  readonly faults: FaultInjector;
  /** The client connections open now; set by runBroker once the listeners exist. */
  openConnections: () => Iterable<OpenConnection> = () => [];
  /** Producer state and the transaction coordinator; set by runBroker before it listens. */
  txn!: TxnEngine;
  /** The group coordinator (consumer groups, committed offsets); set by runBroker before it listens. */
  groups!: GroupCoordinator;
  /** SCRAM users (AlterUserScramCredentials); set by runBroker before it listens. */
  scramCredentials!: ScramCredentialStore;
  /** Compacts topics with cleanup.policy=compact; runs unless log.cleaner.enable=false. Set by runBroker. */
  cleaner!: LogCleaner;
  /** The ACL authorizer when authorizer.class.name names one, else null (everything allowed). */
  authorizer: AclAuthorizer | null = null;
  /** Client quotas (AlterClientQuotas) and their byte-rate enforcement; set by runBroker before it listens. */
  quotas!: ClientQuotas;
  quotaMeter!: QuotaMeter;
  /** leader/follower.replication.throttled.rate over the partitions their topics throttle here. */
  readonly replicationQuotas: ReplicationQuotas;

  constructor(
    readonly config: BrokerConfig,
    readonly topics: TopicRegistry,
    readonly log: Logger,
    clusterMode?: ClusterMode,
  ) {
    this.nodeId = config.nodeId;
    const listeners = config.listeners.map(({ advertised }) => advertised);
    const replicaLagTimeMaxMs = Number(brokerConfigValue(topics.layers, 'replica.lag.time.max.ms'));
    const replicationQuota = (side: ReplicationSide): ReplicationQuota =>
      new ReplicationQuota({
        side,
        nodeId: config.nodeId,
        bound: () => Number(brokerConfigValue(topics.layers, `${side}.replication.throttled.rate`)),
        windows: Number(brokerConfigValue(topics.layers, 'replication.quota.window.num')),
        windowMs: Number(brokerConfigValue(topics.layers, 'replication.quota.window.size.seconds')) * 1000,
      });
    this.replicationQuotas = { leader: replicationQuota('leader'), follower: replicationQuota('follower') };
    this.faults = new FaultInjector({
      enabled: config.faultsEnable,
      topicName: (id) => topics.getById(id)?.name,
      topicLogs: (name) => topics.get(name)?.partitions,
      topicNames: () => topics.list().map((t) => t.name),
      clusterFacts: (listenerName) => ({ clusterId: this.cluster.clusterId, controllerId: this.cluster.controllerId, brokers: this.cluster.brokers(listenerName) }),
      connections: () => this.openConnections(),
      serves: (apiKey) => this.apis.get(apiKey) !== undefined,
    });
    const faultHooks = config.faultsEnable ? { leadershipWithheld: (topic: string, partition: number) => this.faults.isNotLeader(topic, partition) } : {};
    if (clusterMode === undefined) {
      // The registry holds the cluster id kept in the data dir (meta.properties), stable across restarts.
      this.singleNode = new SingleNodeCluster(config.nodeId, () => topics.clusterId, listeners, topics);
      this.cluster = this.singleNode;
      this.topicDescriptions = new TopicDescriptions(this.cluster);
      this.replicas = new ReplicaManager({ localId: config.nodeId, topics, cluster: this.cluster, replicaLagTimeMaxMs: () => replicaLagTimeMaxMs, ...faultHooks });
      return;
    }
    this.cluster = new MultiNodeCluster(config.nodeId, () => topics.clusterId, clusterMode.membership, clusterMode.metadata);
    this.topicDescriptions = new TopicDescriptions(this.cluster);
    // The replicas report to the member, which is made right after them.
    this.replicas = new ReplicaManager({
      localId: config.nodeId,
      topics,
      cluster: this.cluster,
      replicaLagTimeMaxMs: () => replicaLagTimeMaxMs,
      ...faultHooks,
      proposeIsr: (change) => this.member!.proposeIsr(change),
      onStateApplied: (partition) => {
        this.member!.stateApplied(partition);
        // Until runBroker has opened them the coordinators do not exist; they load what this broker leads when they open.
        const groups: GroupCoordinator | undefined = this.groups;
        const txn: TxnEngine | undefined = this.txn;
        groups?.leadershipChanged(partition);
        txn?.leadershipChanged(partition);
      },
    });
    this.member = new ClusterMember({
      localId: config.nodeId,
      rack: null,
      directoryId: topics.directoryId,
      listeners: config.listeners,
      // runBroker refuses a cluster member whose inter-broker settings do not resolve.
      interBroker: config.interBroker.security!,
      store: clusterMode.metadata,
      membership: clusterMode.membership,
      cluster: this.cluster,
      topics,
      replicas: this.replicas,
      replicaLagTimeMaxMs,
      followerQuota: this.replicationQuotas.follower,
      replicaFetch: {
        waitMaxMs: config.replicaFetchWaitMaxMs,
        minBytes: config.replicaFetchMinBytes,
        partitionMaxBytes: config.replicaFetchMaxBytes,
        responseMaxBytes: config.replicaFetchResponseMaxBytes,
        backoffMs: config.replicaFetchBackoffMs,
        timeouts: { requestTimeoutMs: config.requestTimeoutMs, readyTimeoutMs: config.replicaSocketTimeoutMs },
        // Kafka's replica fetcher leaves SO_SNDBUF to the OS.
        socketOptions: new SocketBuffers(-1, config.replicaSocketReceiveBufferBytes, 'replica.socket.receive.buffer.bytes', log),
      },
      uncleanLeaderElection: topics.layers.staticProps.get('unclean.leader.election.enable')?.toLowerCase() === 'true',
      leaderImbalanceCheckIntervalMs:
        brokerConfigValue(topics.layers, 'auto.leader.rebalance.enable') === 'true' ? Number(brokerConfigValue(topics.layers, 'leader.imbalance.check.interval.seconds')) * 1000 : null,
      appender: () => this.txn,
      log: log.child({ component: 'cluster' }),
    });
  }

  /** The address given to clients of a listener that bound `port` (a free port when configured 0). */
  advertise(listenerName: string, port: number): { host: string; port: number } {
    if (this.singleNode !== undefined) {
      this.singleNode.setBoundPort(listenerName, port);
      return this.singleNode.advertised(listenerName);
    }
    const { advertised } = this.config.listeners.find((l) => l.advertised.name === listenerName)!;
    return { host: advertised.host, port: advertised.port === 0 ? port : advertised.port };
  }

  get clusterId(): string {
    return this.cluster.clusterId;
  }

  /** A new connection's SASL state when its listener uses SASL, else undefined. */
  saslAuthenticator(listener: ClientListener): SaslAuthenticator | undefined {
    return listener.sasl === undefined ? undefined : new SaslAuthenticator(listener.sasl, this.scramCredentials);
  }
}

export interface RunningListener {
  /** Listener name, e.g. PLAINTEXT or SSL. */
  readonly name: string;
  readonly securityProtocol: string;
  /** "host:port" to give clients of this listener as bootstrap server. */
  readonly bootstrap: string;
  readonly host: string;
  readonly port: number;
}

export interface RunningBroker {
  /** "host:port" of the first listener, to give clients as bootstrap server. */
  readonly bootstrap: string;
  readonly host: string;
  readonly port: number;
  /** Every client listener, in configured order (the first is the one above). */
  readonly listeners: readonly RunningListener[];
  /** The HTTP listener (console, /metrics, schema registry) when creek.http.port is set. */
  readonly http: HttpListener | undefined;
  readonly broker: Broker;
  /** Fault injection for tests (README "Fault injection"); on unless creek.faults.enable=false. */
  readonly faults: FaultInjector;
  stop(): Promise<void>;
  /**
   * Stops as a crashed process would, as far as others can see: every client connection is
   * dropped at once and nothing more is answered; then resources are released (what was written
   * stays, as the page cache keeps a killed process's writes).
   */
  kill(): Promise<void>;
}

export interface StartOptions extends BrokerOptions {
  /** A pino logger to use instead of a new one. */
  logger?: Logger;
  /**
   * Runs the broker as one of several sharing a metadata store and a Membership (startCluster).
   * Brokers configured for etcd (`etcd`, creek.etcd.endpoints) open their cluster mode themselves.
   */
  cluster?: ClusterMode;
}

/**
 * Kafka settings whose defaults only make a test suite wait: an embedded broker uses these unless
 * `properties` names them. The CLI keeps Kafka's defaults.
 */
export const EMBEDDED_DEFAULTS: Readonly<Record<string, number | boolean>> = {
  // Kafka's 3 s wait for more members before an empty group's first rebalance delays every consumer-group test.
  'group.initial.rebalance.delay.ms': 0,
  // The same wait before a new streams group's first task assignment (KIP-1071).
  'group.streams.initial.rebalance.delay.ms': 0,
  // Tests drive fault injection through broker.faults; the CLI keeps it off.
  'creek.faults.enable': true,
};

/**
 * Starts a broker. Embedded defaults: in-memory storage unless a data dir is given, a free port
 * on 127.0.0.1 unless a port is given, warnings-only logging, and EMBEDDED_DEFAULTS.
 */
export async function startBroker(options: StartOptions = {}): Promise<RunningBroker> {
  const { logger, cluster, ...brokerOptions } = options;
  const inEtcdCluster = brokerOptions.etcd !== undefined || brokerOptions.properties?.['creek.etcd.endpoints'] !== undefined;
  const config = resolveBrokerConfig({
    // Other brokers reach a cluster member at its registered address: a port fixed before it registers.
    port: inEtcdCluster && brokerOptions.port === undefined ? await freeLoopbackPort() : 0,
    logLevel: 'warn',
    ...(options.dataDir === undefined ? { memory: true } : {}),
    ...brokerOptions,
    properties: { ...EMBEDDED_DEFAULTS, ...brokerOptions.properties },
  });
  return runBroker(config, logger, cluster);
}

/** Runs a broker for a resolved configuration (the CLI's path). */
export async function runBroker(brokerConfig: BrokerConfig, logger?: Logger, givenClusterMode?: ClusterMode): Promise<RunningBroker> {
  const log = logger ?? pino({ level: brokerConfig.logLevel, name: 'creek' });
  const started = Date.now();
  if (brokerConfig.etcd !== undefined && givenClusterMode !== undefined) throw new Error('a broker runs either on etcd (creek.etcd.endpoints) or in an in-process cluster, not both');
  // A cluster member connects to the others: its inter-broker settings must work.
  if ((brokerConfig.etcd !== undefined || givenClusterMode !== undefined) && brokerConfig.interBroker.problems.length > 0) throw new ConfigError([...brokerConfig.interBroker.problems]);
  // Cluster mode on etcd: its start-up checks run before anything is written (data dir included).
  // The etcd client (gRPC and its protobuf loader, ~90 ms and ~25 MiB) is loaded only by brokers that join a cluster.
  const etcdCluster = brokerConfig.etcd === undefined ? undefined : await (await import('./cluster/etcd/open-etcd-cluster.js')).openEtcdCluster(brokerConfig, log);
  let config = brokerConfig;
  let clusterMode = givenClusterMode;
  let broker: Broker;
  let topics: TopicRegistry;
  let metadata: MetadataStore;
  let dataDirLock: DataDirLock | undefined;
  try {
    if (etcdCluster !== undefined) {
      dataDirLock = await claimNodeId({
        membership: etcdCluster.membership,
        nodeId: config.nodeId,
        dataDir: config.storage === 'disk' ? config.logDir : undefined,
        leaseTtlMs: config.etcd!.leaseTtlMs,
        log,
      });
      // The cluster's id, which a new data dir takes.
      config = { ...config, clusterId: etcdCluster.clusterId };
      clusterMode = { metadata: etcdCluster.metadata, membership: etcdCluster.membership };
    }
    // Before anything in the data dir is read or written: another broker may be using it.
    if (config.storage === 'disk') dataDirLock ??= lockDataDir(config.logDir);
    metadata = clusterMode?.metadata ?? (await openMetadataStore({ dataDir: config.storage === 'memory' ? null : config.logDir }, log));
    topics = await TopicRegistry.open(config, metadata, log);
    broker = new Broker(config, topics, log, clusterMode);
  } catch (err) {
    dataDirLock?.release();
    await etcdCluster?.close();
    throw err;
  }
  // Producer state first: the group coordinator appends transactional offset commits through it.
  // Then the groups replay __consumer_offsets (offsets of transactions without a marker stay
  // pending), and last the transaction coordinator finishes transactions decided before a
  // restart, whose markers settle those pending offsets.
  const txn = await TxnEngine.open({
    config,
    topics,
    replicas: broker.replicas,
    metadata,
    cluster: broker.cluster,
    clusterMode: clusterMode !== undefined,
    producerIdExpirationMs: () => Number(brokerConfigValue(topics.layers, 'producer.id.expiration.ms')),
    verifyPartitions: () => brokerConfigValue(topics.layers, 'transaction.partition.verification.enable') !== 'false',
    log: log.child({ component: 'txn' }),
  });
  broker.txn = txn;
  broker.groups = await GroupCoordinator.open({
    brokerConfig: config,
    topics,
    replicas: broker.replicas,
    appendForProducer: (...args) => txn.appendForProducer(...args),
    liveBrokers: () => broker.cluster.brokerIds(),
    // A single node keeps every group in one partition (one ordered log); a cluster spreads them like Kafka.
    offsetsTopicPartitions: clusterMode === undefined ? 1 : config.offsetsTopicNumPartitions,
    createTopicAtStart: clusterMode === undefined,
    log,
  });
  await txn.startCoordinator(broker.groups);
  broker.scramCredentials = ScramCredentialStore.open(metadata);
  broker.quotas = ClientQuotas.open(metadata);
  broker.quotaMeter = new QuotaMeter(broker.quotas);
  const authorizerConfig = resolveAuthorizerConfig(config.staticProps);
  if (authorizerConfig !== null) {
    broker.authorizer = new AclAuthorizer({ ...authorizerConfig, metadata });
  }
  const serverLog = log.child({ component: 'server' });
  const interBrokerListener = config.interBroker.security?.listenerName ?? null;
  const connectionOptions = serverOptions(
    (name) => brokerConfigValue(topics.layers, name),
    {
      connectionRate: (ip) => broker.quotaMeter.recordConnection(ip),
      acceptances: broker.quotaMeter,
      // As Kafka, the inter-broker listener is exempt from the broker-wide limits only beside others.
      protectedListener: config.listeners.length > 1 ? interBrokerListener : null,
    },
    serverLog,
  );
  // A raised max.connections lets a waiting acceptor go on; a lowered one closes the connections over it.
  topics.onBrokerConfigsChange(() => connectionOptions.quotas.limitsChanged());
  const connectionIds = { next: 1 };
  const listeners = config.listeners.map((l) => new Listener(l, broker, connectionOptions, connectionIds, serverLog));
  broker.openConnections = () => listeners.flatMap((l) => [...l.openConnections()]);
  if (config.faultsEnable) log.info('fault injection is on (creek.faults.enable): requests can be failed, delayed and dropped on purpose');
  const running: RunningListener[] = [];
  let http: HttpListener | undefined;
  try {
    // A broker among several joins once its engines hold their state: its replicas' fetched
    // batches go through the transaction engine, and the controller may make it lead at once.
    await broker.member?.start();
    for (const [i, listener] of listeners.entries()) {
      const { endpoint } = config.listeners[i]!;
      const port = await listener.listen(endpoint.host, endpoint.port);
      const advertised = broker.advertise(endpoint.name, port);
      running.push({ name: endpoint.name, securityProtocol: endpoint.securityProtocol, bootstrap: `${advertised.host}:${advertised.port}`, host: endpoint.host, port });
    }
    if (config.http !== undefined) {
      // The console, /metrics and the schema registry are loaded only for a broker that serves
      // them, once its Kafka listeners accept connections.
      const { startHttpService } = await import('./http/http-service.js');
      http = await startHttpService(broker, config.http, log.child({ component: 'http' }));
    }
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()));
    await broker.groups.close();
    await broker.txn.close();
    await broker.member?.stop();
    broker.cluster.close();
    await topics.close();
    await etcdCluster?.close();
    dataDirLock?.release();
    throw err;
  }
  const retention = setInterval(() => void topics.applyRetention(), config.logRetentionCheckIntervalMs);
  retention.unref();
  const unwatchWrites = sharedWritePlacement.onMoved(({ ms, bytes, holdMs }) =>
    log.warn({ ms: Math.round(ms), bytes, holdMinutes: holdMs / 60_000 }, 'a log write slept in the kernel (the page cache being written back); log writes go through the I/O thread pool for a while, so one slow write no longer stalls every connection'),
  );
  const unwatchWriteback = sharedWritebackPacer.onFailed(({ file, error, others }) =>
    log.error({ file, err: error, othersFailedSinceLastReport: others }, 'writing a log file back to disk failed: its data since the last flush may not be on disk; the partition reports it on its next flush'),
  );
  broker.cleaner = newLogCleaner(topics, txn, log);
  if (config.logCleanerEnable) broker.cleaner.start();
  log.info({ ms: Date.now() - started, topics: topics.list().length, listeners: running.map((l) => `${l.name}://${l.host}:${l.port}`) }, 'broker started');

  let stopping: Promise<void> | undefined;
  const first = running[0]!;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(retention);
      unwatchWrites();
      unwatchWriteback();
      broker.faults.clearAll();
      await broker.member?.leave();
      await http?.close();
      await broker.cleaner.stop();
      // First, so that JoinGroup/SyncGroup requests parked in a rebalance are answered and the listener can drain.
      await broker.groups.close();
      await Promise.all(listeners.map((l) => l.close()));
      await broker.txn.close();
      await broker.member?.stop();
      broker.cluster.close();
      await topics.close();
      await etcdCluster?.close();
      dataDirLock?.release();
      log.info('broker stopped');
    })();
    return stopping;
  };
  return {
    bootstrap: first.bootstrap,
    host: first.host,
    port: first.port,
    listeners: running,
    http,
    broker,
    faults: broker.faults,
    stop,
    kill() {
      for (const l of listeners) l.abort();
      return stop();
    },
  };
}

/** The log cleaner over every partition, with the dynamic cleaner settings read at each round. */
function newLogCleaner(topics: TopicRegistry, txn: TxnEngine, log: Logger): LogCleaner {
  const setting = (name: string): number => Number(brokerConfigValue(topics.layers, name));
  return new LogCleaner({
    partitions: function* () {
      for (const t of topics.list()) for (const [partition, partLog] of t.partitions.entries()) yield { topic: t.name, partition, log: partLog };
    },
    txn: txn.cleanerView(),
    settings: () => ({ backoffMs: setting('log.cleaner.backoff.ms'), dedupeBufferBytes: setting('log.cleaner.dedupe.buffer.size') }),
    logger: log.child({ component: 'cleaner' }),
  });
}
