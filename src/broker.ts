// startBroker(): wires configuration, storage, the engines and the listeners into one running
// broker, and stops it gracefully (in-flight requests finish, storage is flushed).
import pino, { type Logger } from 'pino';
import type { BatchHeader } from '../protocol/records/batch-header.js';
import { resolveBrokerConfig, type BrokerConfig, type BrokerOptions, type ClientListener } from './config/broker-config.js';
import { ApiRegistry } from './apis/registry.js';
import { handlers } from './apis/index.js';
import { Listener } from './server/listener.js';
import { FetchSessionCache } from './fetch/fetch-sessions.js';
import { TopicRegistry, type Topic } from './topics/topic-registry.js';
import type { AppendResult } from './log/partition-log.js';
import { TxnEngine } from './txn/txn-engine.js';
import { GroupCoordinator } from './groups/group-coordinator.js';
import { SaslAuthenticator } from './security/sasl-authenticator.js';
import { ScramCredentialStore } from './security/scram-credentials.js';
import { brokerConfigValue } from './config/describe-configs.js';
import { LogCleaner } from './log/log-cleaner.js';

export interface AdvertisedAddress {
  host: string;
  port: number;
}

export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

export class Broker {
  readonly apis = new ApiRegistry(handlers);
  readonly fetchSessions = new FetchSessionCache();
  readonly nodeId: number;
  readonly clusterId: string;
  /** Per listener name, the address given to clients that came in on it; bound ports fill in port 0. */
  private readonly advertisedByListener = new Map<string, AdvertisedAddress>();
  /** Producer state and the transaction coordinator; set by runBroker before it listens. */
  txn!: TxnEngine;
  /** The group coordinator (consumer groups, committed offsets); set by runBroker before it listens. */
  groups!: GroupCoordinator;
  /** SCRAM users (AlterUserScramCredentials); set by runBroker before it listens. */
  scramCredentials!: ScramCredentialStore;
  /** Compacts topics with cleanup.policy=compact; runs unless log.cleaner.enable=false. Set by runBroker. */
  cleaner!: LogCleaner;

  constructor(
    readonly config: BrokerConfig,
    readonly topics: TopicRegistry,
    readonly log: Logger,
  ) {
    this.nodeId = config.nodeId;
    // The registry holds the id kept in the data dir (meta.properties), stable across restarts.
    this.clusterId = topics.clusterId;
    for (const { advertised } of config.listeners) this.advertisedByListener.set(advertised.name, { host: advertised.host, port: advertised.port });
  }

  /** The address Metadata, FindCoordinator and DescribeCluster give a client on this listener. */
  advertised(listenerName: string): AdvertisedAddress {
    return this.advertisedByListener.get(listenerName)!;
  }

  /** Records the port a listener bound when its advertised port was 0 (a free port). */
  setBoundPort(listenerName: string, port: number): void {
    const current = this.advertisedByListener.get(listenerName)!;
    if (current.port === 0) this.advertisedByListener.set(listenerName, { host: current.host, port });
  }

  /** A new connection's SASL state when its listener uses SASL, else undefined. */
  saslAuthenticator(listener: ClientListener): SaslAuthenticator | undefined {
    return listener.sasl === undefined ? undefined : new SaslAuthenticator(listener.sasl, this.scramCredentials);
  }

  /** Appends one validated produce batch to a partition, with the idempotence and transaction checks. */
  appendRecords(topic: Topic, partition: number, records: Buffer, header: BatchHeader, transactionalId: string | null): Promise<AppendResult> {
    return this.txn.append(topic, partition, records, header, transactionalId);
  }

  /** Offsets below it belong to no open transaction. */
  lastStableOffset(topic: Topic, partition: number): number {
    return this.txn.lastStableOffset(topic, partition);
  }

  /** Aborted transactions overlapping [from, to), for read_committed fetches. */
  abortedTransactions(topic: Topic, partition: number, from: number, to: number): AbortedTransaction[] {
    return this.txn.abortedTransactions(topic, partition, from, to);
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
  readonly broker: Broker;
  stop(): Promise<void>;
}

export interface StartOptions extends BrokerOptions {
  /** A pino logger to use instead of a new one. */
  logger?: Logger;
}

/**
 * Kafka settings whose defaults only make a test suite wait: an embedded broker uses these unless
 * `properties` names them. The CLI keeps Kafka's defaults.
 */
export const EMBEDDED_DEFAULTS: Readonly<Record<string, number>> = {
  // Kafka's 3 s wait for more members before an empty group's first rebalance delays every consumer-group test.
  'group.initial.rebalance.delay.ms': 0,
};

/**
 * Starts a broker. Embedded defaults: in-memory storage unless a data dir is given, a free port
 * on 127.0.0.1 unless a port is given, warnings-only logging, and EMBEDDED_DEFAULTS.
 */
export async function startBroker(options: StartOptions = {}): Promise<RunningBroker> {
  const { logger, ...brokerOptions } = options;
  const config = resolveBrokerConfig({
    port: 0,
    logLevel: 'warn',
    ...(options.dataDir === undefined ? { memory: true } : {}),
    ...brokerOptions,
    properties: { ...EMBEDDED_DEFAULTS, ...brokerOptions.properties },
  });
  return runBroker(config, logger);
}

/** Runs a broker for a resolved configuration (the CLI's path). */
export async function runBroker(config: BrokerConfig, logger?: Logger): Promise<RunningBroker> {
  const log = logger ?? pino({ level: config.logLevel, name: 'creek' });
  const started = Date.now();
  const topics = await TopicRegistry.open(config, log);
  const broker = new Broker(config, topics, log);
  // Producer state first: the group coordinator appends transactional offset commits through it.
  // Then the groups replay __consumer_offsets (offsets of transactions without a marker stay
  // pending), and last the transaction coordinator finishes transactions decided before a
  // restart, whose markers settle those pending offsets.
  const txn = await TxnEngine.open({ config, topics, log: log.child({ component: 'txn' }) });
  broker.txn = txn;
  broker.groups = await GroupCoordinator.open(config, topics, (...args) => txn.appendForProducer(...args), log);
  await txn.startCoordinator(broker.groups);
  broker.scramCredentials = ScramCredentialStore.open(config.storage === 'memory' ? null : config.logDir);
  const connectionOptions = { maxRequestBytes: config.socketRequestMaxBytes, idleTimeoutMs: config.connectionsMaxIdleMs };
  const serverLog = log.child({ component: 'server' });
  const connectionIds = { next: 1 };
  const listeners = config.listeners.map((l) => new Listener(l, broker, connectionOptions, connectionIds, serverLog));
  const running: RunningListener[] = [];
  try {
    for (const [i, listener] of listeners.entries()) {
      const { endpoint } = config.listeners[i]!;
      const port = await listener.listen(endpoint.host, endpoint.port);
      broker.setBoundPort(endpoint.name, port);
      const advertised = broker.advertised(endpoint.name);
      running.push({ name: endpoint.name, securityProtocol: endpoint.securityProtocol, bootstrap: `${advertised.host}:${advertised.port}`, host: endpoint.host, port });
    }
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()));
    await broker.groups.close();
    await broker.txn.close();
    await topics.close();
    throw err;
  }
  const retention = setInterval(() => void topics.applyRetention(), config.logRetentionCheckIntervalMs);
  retention.unref();
  broker.cleaner = newLogCleaner(topics, txn, log);
  if (config.logCleanerEnable) broker.cleaner.start();
  log.info({ ms: Date.now() - started, topics: topics.list().length, listeners: running.map((l) => `${l.name}://${l.host}:${l.port}`) }, 'broker started');

  let stopping: Promise<void> | undefined;
  const first = running[0]!;
  return {
    bootstrap: first.bootstrap,
    host: first.host,
    port: first.port,
    listeners: running,
    broker,
    stop() {
      stopping ??= (async () => {
        clearInterval(retention);
        await broker.cleaner.stop();
        // First, so that JoinGroup/SyncGroup requests parked in a rebalance are answered and the listener can drain.
        await broker.groups.close();
        await Promise.all(listeners.map((l) => l.close()));
        await broker.txn.close();
        await topics.close();
        log.info('broker stopped');
      })();
      return stopping;
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
