// The broker's resolved configuration. Sources, lowest to highest: table defaults < config file
// (`--config`) < environment (CREEK_/KAFKA_) < `--override key=value` < named flags. Every known
// key is checked against the table (bad values are errors naming their source); unknown keys are
// kept with a warning. `loadBrokerConfig` serves the CLI, `resolveBrokerConfig` the embedded
// `startBroker(options)`, which reads neither files nor the environment.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { brokerConfigDef, listenerOverrideDef, type LogFormat, type LogLevel } from './broker-config-defs.js';
import { parseBrokerArgs, type BrokerFlags } from './cli-args.js';
import { ConfigType, checkConfigValue, parseConfigValue } from './config-def.js';
import { ConfigError } from './config-error.js';
import { layerFrom, type ConfigLayer } from './config-layer.js';
import { envLayer } from './env.js';
import { formatListeners, parseListeners, parseProtocolMap, type Endpoint } from './listeners.js';
import { parseProperties } from './properties.js';
import { isListenerSaslKey, resolveSaslConfig } from '../security/sasl-config.js';
import { resolveTlsConfig } from '../security/tls-config.js';
import type { BrokerEndpoint, ClientListener } from './client-listener.js';
import { INTER_BROKER_KEYS, resolveInterBroker, type InterBrokerResolution } from '../security/inter-broker-config.js';
import { newKafkaUuid } from '../kafka-uuid.js';
import { resolveEtcdConfig, type EtcdConfig } from './etcd-config.js';

export interface BrokerConfig {
  nodeId: number;
  /** Generated when not configured; staticProps.has('cluster.id') tells which. */
  clusterId: string;
  /** Every listener not named in controller.listener.names, in configured order. */
  listeners: readonly ClientListener[];
  /** The first client listener's address (the bootstrap address Creek reports). */
  listener: BrokerEndpoint;
  /** The first client listener's advertised address. */
  advertised: BrokerEndpoint;
  /** How this broker connects to the others of its cluster; its problems stop a clustered broker's start-up. */
  interBroker: InterBrokerResolution;
  /** request.timeout.ms: the wait for another broker's answer. */
  requestTimeoutMs: number;
  /** replica.socket.timeout.ms: the time a follower's connection to its leader has to become ready. */
  replicaSocketTimeoutMs: number;
  /** replica.fetch.wait.max.ms: the longest wait of a follower's fetch at its leader. */
  replicaFetchWaitMaxMs: number;
  /** replica.fetch.min.bytes: the bytes a follower's fetch waits at its leader to have. */
  replicaFetchMinBytes: number;
  /** replica.fetch.max.bytes: the bytes a follower's fetch asks for from each partition. */
  replicaFetchMaxBytes: number;
  /** replica.fetch.response.max.bytes: the bytes a follower's fetch asks for in all. */
  replicaFetchResponseMaxBytes: number;
  /** replica.fetch.backoff.ms: a follower's pause after a failed fetch or connection. */
  replicaFetchBackoffMs: number;
  /** replica.socket.receive.buffer.bytes: SO_RCVBUF of a follower's connections to its leaders. */
  replicaSocketReceiveBufferBytes: number;
  /** socket.receive.buffer.bytes: SO_RCVBUF of accepted connections, and of this broker's connections for transaction markers and verification. */
  socketReceiveBufferBytes: number;
  /** fetch.max.bytes: the most a fetch response carries, whatever its max_bytes (the first batch excepted). */
  fetchMaxBytes: number;
  logDir: string;
  storage: 'disk' | 'memory';
  logLevel: LogLevel;
  logFormat: LogFormat;
  numPartitions: number;
  /** creek.log.max.open.files: the bound on open segment files. */
  maxOpenFiles: number;
  /** creek.log.tail.cache.max.bytes: the bound on all partitions' in-memory tails. */
  tailCacheMaxBytes: number;
  /** max.broker.partitions: the most partitions this broker holds. */
  maxBrokerPartitions: number;
  defaultReplicationFactor: number;
  autoCreateTopicsEnable: boolean;
  deleteTopicEnable: boolean;
  messageMaxBytes: number;
  /** log.retention.ms, else .minutes, else .hours; -1 when unlimited. */
  logRetentionMs: number;
  logRetentionBytes: number;
  logSegmentBytes: number;
  /** log.roll.ms, else log.roll.hours. */
  logRollMs: number;
  logRetentionCheckIntervalMs: number;
  logCleanupPolicy: readonly ('delete' | 'compact')[];
  logCleanerEnable: boolean;
  /** creek.faults.enable: fault injection (src/faults/) and its HTTP routes. */
  faultsEnable: boolean;
  /** creek.console.writes.enable: the web console may produce, create and delete topics and reset offsets. */
  consoleWritesEnable: boolean;
  logMessageTimestampType: 'CreateTime' | 'LogAppendTime';
  /** Kafka's Long.MAX_VALUE ("never") reads as Number.MAX_SAFE_INTEGER. */
  logFlushIntervalMessages: number;
  /** log.flush.interval.ms, else log.flush.scheduler.interval.ms. */
  logFlushIntervalMs: number;
  logIndexIntervalBytes: number;
  groupInitialRebalanceDelayMs: number;
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  offsetsRetentionMs: number;
  offsetsTopicNumPartitions: number;
  transactionalIdExpirationMs: number;
  transactionMaxTimeoutMs: number;
  transactionAbortTimedOutTransactionCleanupIntervalMs: number;
  /** The HTTP listener (console, metrics, schema registry), when one is configured. */
  http?: HttpListenerConfig;
  /** Cluster mode: where the cluster's state is kept in etcd, when creek.etcd.endpoints is set. */
  etcd?: EtcdConfig;
  /** Every explicitly set key (STATIC_BROKER_CONFIG for DescribeConfigs), unknown ones included. */
  staticProps: ReadonlyMap<string, string>;
  warnings: readonly string[];
}

export interface HttpListenerConfig {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** False when the port is the creek command's default: a busy port then only warns. */
  required: boolean;
}

/** The creek command's HTTP port when none is configured. */
export const CLI_HTTP_PORT_DEFAULT = '8080';
const CLI_DEFAULT_ORIGIN = 'creek command default';

/** Options of the embedded broker: the CLI flags, typed, plus any Kafka keys. */
export interface BrokerOptions {
  host?: string;
  port?: number;
  advertisedHost?: string;
  advertisedPort?: number;
  dataDir?: string;
  memory?: boolean;
  nodeId?: number;
  logLevel?: LogLevel;
  clusterId?: string;
  /** Serve HTTP (console, /metrics, schema registry) on this port; 0 picks a free one. Off unless given. */
  httpPort?: number;
  /** Cluster mode: etcd endpoints (creek.etcd.endpoints), comma-separated. */
  etcd?: string;
  /** Kafka config keys, as in server.properties. */
  properties?: Readonly<Record<string, string | number | boolean>>;
}

export interface LoadBrokerConfigInput {
  /** Arguments after the command name. */
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** A properties file to read when argv names none. */
  file?: string;
}

/** Configuration for the `creek` command. Throws ConfigError. */
export function loadBrokerConfig({ argv, env, file }: LoadBrokerConfigInput): BrokerConfig {
  const args = parseBrokerArgs(argv);
  const path = args.configFile ?? file;
  const layers: ConfigLayer[] = [new Map([['creek.http.port', { value: CLI_HTTP_PORT_DEFAULT, origin: CLI_DEFAULT_ORIGIN }]])];
  if (path !== undefined) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new ConfigError([`Cannot read config file ${path}: ${(e as Error).message}`]);
    }
    layers.push(layerFrom(parseProperties(text), () => `config file ${path}`));
  }
  layers.push(envLayer(env), args.overrides);
  return buildBrokerConfig(layers, args.flags);
}

/** Configuration for the embedded broker: defaults < options.properties < named options. */
export function resolveBrokerConfig(options: BrokerOptions = {}): BrokerConfig {
  const props = new Map(Object.entries(options.properties ?? {}).map(([k, v]) => [k, String(v)]));
  if (options.clusterId !== undefined) props.set('cluster.id', options.clusterId);
  const str = (v: number | undefined): string | undefined => (v === undefined ? undefined : String(v));
  const flags: BrokerFlags = {};
  const set = <K extends keyof BrokerFlags>(key: K, value: BrokerFlags[K] | undefined): void => {
    if (value !== undefined) flags[key] = value;
  };
  set('host', options.host);
  set('port', str(options.port));
  set('advertisedHost', options.advertisedHost);
  set('advertisedPort', str(options.advertisedPort));
  set('dataDir', options.dataDir);
  set('memory', options.memory);
  set('nodeId', str(options.nodeId));
  set('logLevel', options.logLevel);
  set('httpPort', str(options.httpPort));
  set('etcd', options.etcd);
  return buildBrokerConfig([layerFrom(props, (key) => `option ${key}`)], flags);
}

function buildBrokerConfig(layers: readonly ConfigLayer[], flags: BrokerFlags): BrokerConfig {
  const problems: string[] = [];
  const merged: ConfigLayer = new Map();
  for (const layer of layers) for (const [key, value] of layer) merged.set(key, value);
  applyFlags(merged, flags, problems);

  const warnings: string[] = [];
  for (const [key, { value, origin }] of merged) {
    const def = brokerConfigDef(key) ?? listenerOverrideDef(key);
    if (def === undefined) {
      if (isListenerSaslKey(key)) continue;
      warnings.push(`Unknown configuration ${key} (from ${origin}) is kept but has no effect`);
      continue;
    }
    const message = checkConfigValue(def, value);
    if (message !== null) problems.push(`${message} (from ${origin})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const raw = (key: string): string | null => merged.get(key)?.value ?? brokerConfigDef(key)!.default;
  const isSet = (key: string): boolean => merged.has(key);
  const num = (key: string): number => parseConfigValue(brokerConfigDef(key)!.type, raw(key)) as number;
  const bool = (key: string): boolean => parseConfigValue(ConfigType.BOOLEAN, raw(key)) as boolean;
  const str = (key: string): string => parseConfigValue(ConfigType.STRING, raw(key)) as string;
  const list = (key: string): readonly string[] => parseConfigValue(ConfigType.LIST, raw(key)) as string[];

  checkConnectionLimits(num, (key) => raw(key) ?? '', problems);
  checkReplicaFetchWait(num, problems);
  const nodeId = resolveNodeId(isSet('node.id') ? num('node.id') : undefined, isSet('broker.id') ? num('broker.id') : undefined, problems);
  const endpoints = resolveEndpoints(raw, merged, problems);
  const value = (key: string): string | null => merged.get(key)?.value ?? brokerConfigDef(key)?.default ?? null;
  const listeners = endpoints?.map(({ endpoint, advertised }): ClientListener => {
    const sasl = resolveSaslConfig(endpoint.name, endpoint.securityProtocol, value, problems);
    const tls = resolveTlsConfig(endpoint.name, endpoint.securityProtocol, value, problems);
    return { endpoint, advertised, ...(sasl === undefined ? {} : { sasl }), ...(tls === undefined ? {} : { tls }) };
  });
  if (problems.length > 0 || listeners === undefined) throw new ConfigError(problems);
  const interBroker = resolveInterBroker(listeners, value, isSet);
  // A single node never connects to another broker: only a setting made on purpose must be right.
  if (INTER_BROKER_KEYS.some(isSet)) problems.push(...interBroker.problems);
  const etcd = resolveEtcdConfig({ list, num, str, value }, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const retentionMs = isSet('log.retention.ms')
    ? num('log.retention.ms')
    : isSet('log.retention.minutes')
      ? num('log.retention.minutes') * 60_000
      : num('log.retention.hours') * 3_600_000;

  return {
    nodeId,
    clusterId: isSet('cluster.id') ? str('cluster.id') : newKafkaUuid(),
    listeners,
    listener: listeners[0]!.endpoint,
    advertised: listeners[0]!.advertised,
    interBroker,
    requestTimeoutMs: num('request.timeout.ms'),
    replicaSocketTimeoutMs: num('replica.socket.timeout.ms'),
    replicaFetchWaitMaxMs: num('replica.fetch.wait.max.ms'),
    replicaFetchMinBytes: num('replica.fetch.min.bytes'),
    replicaFetchMaxBytes: num('replica.fetch.max.bytes'),
    replicaFetchResponseMaxBytes: num('replica.fetch.response.max.bytes'),
    replicaFetchBackoffMs: num('replica.fetch.backoff.ms'),
    replicaSocketReceiveBufferBytes: num('replica.socket.receive.buffer.bytes'),
    socketReceiveBufferBytes: num('socket.receive.buffer.bytes'),
    fetchMaxBytes: num('fetch.max.bytes'),
    logDir: (isSet('log.dirs') ? list('log.dirs') : list('log.dir'))[0] ?? './data',
    storage: str('creek.storage') as 'disk' | 'memory',
    logLevel: str('creek.log.level') as LogLevel,
    logFormat: str('creek.log.format') as LogFormat,
    numPartitions: num('num.partitions'),
    maxOpenFiles: num('creek.log.max.open.files'),
    tailCacheMaxBytes: num('creek.log.tail.cache.max.bytes'),
    maxBrokerPartitions: num('max.broker.partitions'),
    defaultReplicationFactor: num('default.replication.factor'),
    autoCreateTopicsEnable: bool('auto.create.topics.enable'),
    deleteTopicEnable: bool('delete.topic.enable'),
    messageMaxBytes: num('message.max.bytes'),
    logRetentionMs: retentionMs < 0 ? -1 : retentionMs,
    logRetentionBytes: num('log.retention.bytes'),
    logSegmentBytes: num('log.segment.bytes'),
    logRollMs: isSet('log.roll.ms') ? num('log.roll.ms') : num('log.roll.hours') * 3_600_000,
    logRetentionCheckIntervalMs: num('log.retention.check.interval.ms'),
    logCleanupPolicy: list('log.cleanup.policy') as ('delete' | 'compact')[],
    logCleanerEnable: bool('log.cleaner.enable'),
    faultsEnable: bool('creek.faults.enable'),
    consoleWritesEnable: bool('creek.console.writes.enable'),
    logMessageTimestampType: str('log.message.timestamp.type') as 'CreateTime' | 'LogAppendTime',
    logFlushIntervalMessages: num('log.flush.interval.messages'),
    logFlushIntervalMs: isSet('log.flush.interval.ms') ? num('log.flush.interval.ms') : num('log.flush.scheduler.interval.ms'),
    logIndexIntervalBytes: num('log.index.interval.bytes'),
    groupInitialRebalanceDelayMs: num('group.initial.rebalance.delay.ms'),
    groupMinSessionTimeoutMs: num('group.min.session.timeout.ms'),
    groupMaxSessionTimeoutMs: num('group.max.session.timeout.ms'),
    offsetsRetentionMs: num('offsets.retention.minutes') * 60_000,
    offsetsTopicNumPartitions: num('offsets.topic.num.partitions'),
    transactionalIdExpirationMs: num('transactional.id.expiration.ms'),
    transactionMaxTimeoutMs: num('transaction.max.timeout.ms'),
    transactionAbortTimedOutTransactionCleanupIntervalMs: num('transaction.abort.timed.out.transaction.cleanup.interval.ms'),
    ...httpListener(merged, num, str),
    ...(etcd === undefined ? {} : { etcd }),
    staticProps: new Map([...merged].map(([key, { value }]) => [key, value])),
    warnings,
  };
}

/** Kafka's checks between the socket server's settings (KafkaConfig.validateValues). */
function checkConnectionLimits(num: (key: string) => number, text: (key: string) => string, problems: string[]): void {
  const queued = num('queued.max.request.bytes');
  if (queued > 0 && queued < num('socket.request.max.bytes')) problems.push('queued.max.request.bytes must be larger or equal to socket.request.max.bytes');
  if (num('max.connections.per.ip') === 0 && text('max.connections.per.ip.overrides').trim() === '') {
    problems.push('max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides property is set.');
  }
  const idle = num('connections.max.idle.ms');
  const delay = num('connection.failed.authentication.delay.ms');
  if (idle >= 0 && delay >= idle) {
    problems.push(`connection.failed.authentication.delay.ms=${delay} should always be less than connections.max.idle.ms=${idle} to prevent failed authentication responses from timing out`);
  }
}

/** Kafka's checks of the follower's fetch wait against its socket timeout and the ISR's lag time (KafkaConfig.validateValues). */
function checkReplicaFetchWait(num: (key: string) => number, problems: string[]): void {
  const wait = num('replica.fetch.wait.max.ms');
  if (wait > num('replica.socket.timeout.ms')) problems.push('replica.socket.timeout.ms should always be at least replica.fetch.wait.max.ms to prevent unnecessary socket timeouts');
  if (wait > num('replica.lag.time.max.ms')) problems.push('replica.fetch.wait.max.ms should always be less than or equal to replica.lag.time.max.ms to prevent frequent changes in ISR');
}

function httpListener(merged: ConfigLayer, num: (key: string) => number, str: (key: string) => string): { http?: HttpListenerConfig } {
  const port = merged.get('creek.http.port');
  if (port === undefined || num('creek.http.port') < 0) return {};
  return { http: { host: str('creek.http.host'), port: num('creek.http.port'), required: port.origin !== CLI_DEFAULT_ORIGIN } };
}

function resolveNodeId(nodeId: number | undefined, brokerId: number | undefined, problems: string[]): number {
  if (nodeId !== undefined && brokerId !== undefined && nodeId !== brokerId) {
    problems.push(`broker.id (${brokerId}) and node.id (${nodeId}) must be equal when both are set`);
  }
  return nodeId ?? brokerId ?? Number(brokerConfigDef('node.id')!.default);
}

/** Turns the named flags into Kafka keys on top of the merged layers. */
function applyFlags(merged: ConfigLayer, flags: BrokerFlags, problems: string[]): void {
  const set = (key: string, value: string | undefined, origin: string): void => {
    if (value !== undefined) merged.set(key, { value, origin });
  };
  set('log.dirs', flags.dataDir, '--data-dir');
  if (flags.memory !== undefined) set('creek.storage', flags.memory ? 'memory' : 'disk', '--memory');
  set('node.id', flags.nodeId, '--node-id');
  set('creek.log.format', flags.logFormat, '--log-format');
  set('creek.log.level', flags.logLevel, '--log-level');
  set('creek.http.port', flags.httpPort, '--http-port');
  set('creek.etcd.endpoints', flags.etcd, '--etcd');
  for (const flag of ['port', 'advertisedPort'] as const) {
    const value = flags[flag];
    if (value !== undefined && !(/^\d+$/.test(value) && Number(value) <= 65535)) {
      problems.push(`Invalid value ${value} for --${flag === 'port' ? 'port' : 'advertised-port'}: expected a port number from 0 to 65535`);
      return;
    }
  }
  if (flags.host === undefined && flags.port === undefined && flags.advertisedHost === undefined && flags.advertisedPort === undefined) return;

  const controllers = controllerNames(merged.get('controller.listener.names')?.value ?? null);
  const rewrite = (key: string, fallback: string | null, host: string | undefined, port: string | undefined, origin: string): void => {
    if (host === undefined && port === undefined) return;
    let endpoints: Endpoint[];
    try {
      endpoints = parseListeners(merged.get(key)?.value ?? fallback ?? '');
    } catch {
      return; // the listener value itself is reported by validation
    }
    const index = endpoints.findIndex((e) => !controllers.has(e.name));
    if (index === -1) return;
    const current = endpoints[index]!;
    endpoints[index] = { name: current.name, host: host ?? current.host, port: port === undefined ? current.port : Number(port) };
    merged.set(key, { value: formatListeners(endpoints), origin });
  };
  const listenersDefault = brokerConfigDef('listeners')!.default;
  rewrite('listeners', listenersDefault, flags.host, flags.port, flags.host !== undefined ? '--host' : '--port');
  rewrite('advertised.listeners', merged.get('listeners')?.value ?? listenersDefault, flags.advertisedHost, flags.advertisedPort,
    flags.advertisedHost !== undefined ? '--advertised-host' : '--advertised-port');
}

function controllerNames(value: string | null): Set<string> {
  return new Set((value ?? '').split(',').map((n) => n.trim().toUpperCase()).filter((n) => n !== ''));
}

function resolveEndpoints(
  raw: (key: string) => string | null,
  merged: ConfigLayer,
  problems: string[],
): { endpoint: BrokerEndpoint; advertised: BrokerEndpoint }[] | undefined {
  const controllers = controllerNames(raw('controller.listener.names'));
  const parse = (key: string): Endpoint[] | undefined => {
    try {
      return parseListeners(raw(key) ?? '').filter((e) => !controllers.has(e.name));
    } catch (e) {
      problems.push(`Invalid value ${raw(key)} for configuration ${key}: ${(e as Error).message} (from ${merged.get(key)?.origin ?? 'defaults'})`);
      return undefined;
    }
  };
  let protocols: Map<string, string>;
  try {
    protocols = parseProtocolMap(raw('listener.security.protocol.map') ?? '');
  } catch (e) {
    problems.push(`Invalid value for configuration listener.security.protocol.map: ${(e as Error).message}`);
    return undefined;
  }
  const listeners = parse('listeners');
  const advertisedList = raw('advertised.listeners') === null ? listeners : parse('advertised.listeners');
  if (listeners === undefined || advertisedList === undefined) return undefined;
  if (listeners.length === 0) {
    problems.push('listeners must name at least one listener that is not a controller listener');
    return undefined;
  }
  const before = problems.length;
  const names = listeners.map((l) => l.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) problems.push(`Each listener must have a different name: ${duplicate} is listed twice in listeners`);
  const ports = listeners.map((l) => l.port).filter((port) => port !== 0);
  const sharedPort = ports.find((port, i) => ports.indexOf(port) !== i);
  if (sharedPort !== undefined) problems.push(`Each listener must have a different port: ${sharedPort} is used twice in listeners`);
  const stray = advertisedList.filter((a) => !names.includes(a.name)).map((a) => a.name);
  if (stray.length > 0) problems.push(`advertised.listeners names listeners that listeners does not define: ${stray.join(', ')}`);
  const resolved = listeners.map((listener) => {
    const securityProtocol = protocols.get(listener.name);
    if (securityProtocol === undefined) {
      problems.push(`No security protocol defined for listener ${listener.name} (set listener.security.protocol.map)`);
    }
    const advertised = advertisedList.find((e) => e.name === listener.name) ?? listener;
    const unroutable = advertised.host === '' || advertised.host === '0.0.0.0' || advertised.host === '::';
    return {
      endpoint: { ...listener, securityProtocol: securityProtocol ?? '' },
      advertised: { ...advertised, host: unroutable ? hostname() : advertised.host, securityProtocol: securityProtocol ?? '' },
    };
  });
  return problems.length > before ? undefined : resolved;
}
