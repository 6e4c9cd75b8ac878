// The table of broker configurations Creek knows: Kafka's key names, types, defaults (Creek's
// where it differs: listeners, log.dir, node.id, process.roles) and which ones a cluster-wide or
// per-broker dynamic update may change (Kafka's DynamicBrokerConfig; every other one is read-only).
// Keys prefixed `creek.` (and cluster.id) are Creek's own and never shown to Kafka clients.
import {
  ConfigType,
  LONG_MAX_STRING,
  atLeast,
  between,
  listOf,
  oneOf,
  type ConfigDef,
  type Validator,
} from './config-def.js';
import { parsePerIpOverrides } from './per-ip-overrides.js';
import { topicConfigDef } from './topic-config.js';
import { ACL_AUTHORIZER_CLASSES } from '../security/authorizer/authorizer-config.js';
import { SslPrincipalMapper } from '../security/ssl-principal.js';

export interface BrokerConfigDef extends ConfigDef {
  /** Alterable at runtime through IncrementalAlterConfigs/AlterConfigs. */
  dynamic: boolean;
  /** Creek-specific: accepted from the file, environment and flags, hidden from DescribeConfigs. */
  creek: boolean;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const { BOOLEAN, STRING, INT, SHORT, LONG, DOUBLE, LIST, PASSWORD } = ConfigType;
const INT_MAX = '2147483647';

function broker(
  name: string,
  type: ConfigType,
  defaultValue: string | null,
  doc: string,
  options: { validator?: Validator; dynamic?: boolean; creek?: boolean } = {},
): BrokerConfigDef {
  return {
    name,
    type,
    default: defaultValue,
    doc,
    dynamic: options.dynamic ?? false,
    creek: options.creek ?? false,
    ...(options.validator === undefined ? {} : { validator: options.validator }),
  };
}

/**
 * A broker config that is the default of a topic config: same documentation and, unless
 * `unchecked` (Kafka defines a few such broker keys without a validator), the same checks.
 */
function topicDefault(name: string, topicName: string, type: ConfigType, defaultValue: string | null, unchecked = false): BrokerConfigDef {
  const topic = topicConfigDef(topicName)!;
  return broker(name, type, defaultValue, `Broker-wide default of the topic config ${topicName}. ${topic.doc}`, {
    dynamic: true,
    ...(topic.validator === undefined || unchecked ? {} : { validator: topic.validator }),
  });
}

function readOnlySynonym(name: string, type: ConfigType, defaultValue: string | null, doc: string, validator?: Validator): BrokerConfigDef {
  return broker(name, type, defaultValue, doc, validator === undefined ? {} : { validator });
}

function principalRules(value: unknown): string | null {
  try {
    SslPrincipalMapper.parse(value as string | null);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

function perIpOverrides(value: unknown): string | null {
  try {
    parsePerIpOverrides(String(value ?? ''));
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

function etcdEndpoints(value: unknown): string | null {
  for (const item of value as readonly string[]) {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      return `${item} is not a URL; expected http://host:port or https://host:port`;
    }
    if (!['http:', 'https:'].includes(url.protocol) || url.port === '' || url.pathname !== '/') return `${item}: expected http://host:port or https://host:port`;
  }
  return null;
}

function etcdStoreType(value: unknown): string | null {
  return value === null || ['PEM', 'PKCS12', 'JKS'].includes(String(value).toUpperCase()) ? null : 'Value must be PEM, PKCS12 or JKS';
}

function etcdPrefix(value: unknown): string | null {
  return typeof value === 'string' && value.startsWith('/') && value.length > 1 ? null : 'Value must start with / and name a prefix, e.g. /creek/prod/';
}

export const BROKER_CONFIGS: readonly BrokerConfigDef[] = [
  // ---- identity, listeners, roles ----
  broker('node.id', INT, '1', 'Id of this node in the cluster; Creek runs one node, which is broker and controller.', { validator: atLeast(0) }),
  broker('broker.id', INT, null, 'Older name of node.id; when both are set they must be equal.', { validator: atLeast(0) }),
  broker('process.roles', LIST, 'broker,controller', 'Roles of this node; Creek always acts as a combined broker and controller.', { validator: listOf('broker', 'controller') }),
  broker('listeners', STRING, 'PLAINTEXT://127.0.0.1:9092', 'Comma-separated NAME://host:port addresses to listen on; an empty host binds every interface.'),
  broker('advertised.listeners', STRING, null, 'Addresses given to clients in metadata, NAME://host:port; defaults to listeners.'),
  broker('listener.security.protocol.map', STRING, 'SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT', 'Security protocol of each listener name, NAME:PROTOCOL pairs.'),
  broker('controller.listener.names', STRING, null, 'Listener names used by the KRaft controller; Creek does not open them.'),
  broker('controller.quorum.voters', LIST, '', 'KRaft voters; accepted and ignored by Creek, which is its own single-node quorum.'),
  broker('controller.quorum.bootstrap.servers', LIST, '', 'KRaft bootstrap servers; accepted and ignored by Creek.'),
  broker('inter.broker.listener.name', STRING, null, 'Listener brokers of a cluster connect to each other on (replication, transaction markers); not together with security.inter.broker.protocol.'),
  broker('security.inter.broker.protocol', STRING, 'PLAINTEXT', 'Without inter.broker.listener.name: brokers connect to each other on the listener of this name.', { validator: oneOf('PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL') }),
  broker('sasl.mechanism.inter.broker.protocol', STRING, 'GSSAPI', 'SASL mechanism brokers authenticate to each other with on a SASL inter-broker listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 in Creek), with the username and password of that mechanism\'s JAAS entry on the listener.'),
  broker('sasl.enabled.mechanisms', LIST, 'GSSAPI', 'SASL mechanisms enabled on SASL listeners (per listener: listener.name.<listener>.sasl.enabled.mechanisms); Creek supports PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512.'),
  // ---- TLS (SSL and SASL_SSL listeners; each may be set per listener as listener.name.<listener>.ssl.*) ----
  broker('ssl.keystore.type', STRING, 'JKS', 'Keystore format: PKCS12 or PEM (JKS reads a PKCS12 file as Java does; a Java KeyStore must be converted to PKCS12 with keytool).'),
  broker('ssl.keystore.location', STRING, null, 'Keystore file with the server key and certificate chain.'),
  broker('ssl.keystore.password', PASSWORD, null, 'Password of a PKCS12 keystore.'),
  broker('ssl.keystore.key', PASSWORD, null, 'Private key in PEM, inline (ssl.keystore.type=PEM).'),
  broker('ssl.keystore.certificate.chain', PASSWORD, null, 'Certificate chain in PEM, inline (ssl.keystore.type=PEM).'),
  broker('ssl.key.password', PASSWORD, null, 'Password of an encrypted PEM private key.'),
  broker('ssl.truststore.type', STRING, 'JKS', 'Truststore format: PKCS12 or PEM (JKS reads a PKCS12 file as Java does).'),
  broker('ssl.truststore.location', STRING, null, 'Truststore file with the certificates that client certificates are verified against.'),
  broker('ssl.truststore.password', PASSWORD, null, 'Password of a PKCS12 truststore.'),
  broker('ssl.truststore.certificates', PASSWORD, null, 'Trusted certificates in PEM, inline (ssl.truststore.type=PEM).'),
  broker('ssl.client.auth', STRING, 'none', 'Client certificates: none, requested (verified when sent) or required (mutual TLS).', { validator: oneOf('required', 'requested', 'none') }),
  broker('ssl.enabled.protocols', LIST, 'TLSv1.2,TLSv1.3', 'TLS versions accepted (TLSv1.2, TLSv1.3).'),
  broker('ssl.protocol', STRING, 'TLSv1.3', 'TLS protocol of the context; decides the versions when ssl.enabled.protocols is empty.'),
  broker('ssl.cipher.suites', LIST, '', 'Cipher suites by IANA (Java) or OpenSSL name; empty keeps the defaults.'),
  broker('ssl.endpoint.identification.algorithm', STRING, 'https', 'Host name verification of the peer when this broker connects to another over TLS: https checks it, empty turns it off.'),
  broker('ssl.principal.mapping.rules', STRING, 'DEFAULT', 'Rules mapping a TLS client certificate subject to a principal name: comma-separated RULE:pattern/replacement/[LU] and DEFAULT (the subject as is).', { validator: principalRules }),
  broker('ssl.keymanager.algorithm', STRING, 'SunX509', 'JVM key manager; accepted for compatibility.'),
  broker('ssl.trustmanager.algorithm', STRING, 'PKIX', 'JVM trust manager; accepted for compatibility.'),
  // ---- authorization ----
  broker('authorizer.class.name', STRING, '', 'The authorizer: org.apache.kafka.metadata.authorizer.StandardAuthorizer (or kafka.security.authorizer.AclAuthorizer) checks every request against ACLs; empty means none.', { validator: oneOf('', ...ACL_AUTHORIZER_CLASSES) }),
  broker('super.users', STRING, null, 'Principals allowed everything, separated by semicolons (User:admin;User:CN=ops).'),
  broker('allow.everyone.if.no.acl.found', BOOLEAN, 'false', 'Whether a resource without any ACL is open to every principal.'),
  // ---- network ----
  broker('num.network.threads', INT, '3', 'Network threads in Kafka; accepted for compatibility (Node.js has one event loop).', { validator: atLeast(1), dynamic: true }),
  broker('num.io.threads', INT, '8', 'Request handler threads in Kafka; accepted for compatibility.', { validator: atLeast(1), dynamic: true }),
  broker('background.threads', INT, '10', 'Background task threads in Kafka; accepted for compatibility.', { validator: atLeast(1), dynamic: true }),
  broker('queued.max.requests', INT, '500', 'Requests queued for the request handler threads in Kafka before its network threads stop reading; no effect (Creek handles each connection\'s requests in order on its event loop, and bounds what is received and not yet handled in bytes: queued.max.request.bytes across connections, 64 MiB per connection).', { validator: atLeast(1) }),
  broker('socket.send.buffer.bytes', INT, '102400', 'SO_SNDBUF of accepted connections; -1 keeps the OS default.'),
  broker('socket.receive.buffer.bytes', INT, '102400', 'SO_RCVBUF of accepted connections, and of this broker\'s connections to others for transaction markers and verification; -1 keeps the OS default.'),
  broker('socket.request.max.bytes', INT, '104857600', 'Largest request the broker reads; larger frames close the connection.', { validator: atLeast(1) }),
  broker('socket.listen.backlog.size', INT, '50', 'Backlog of pending connections on each listening socket.', { validator: atLeast(1) }),
  broker('connections.max.idle.ms', LONG, '600000', 'Idle connections are closed after this long.'),
  broker('max.connections', INT, INT_MAX, 'Most connections the broker accepts.', { validator: atLeast(0), dynamic: true }),
  broker('max.connections.per.ip', INT, INT_MAX, 'Most connections the broker accepts from one address.', { validator: atLeast(0), dynamic: true }),
  broker('max.connection.creation.rate', INT, INT_MAX, 'Most new connections per second the broker accepts, over every listener but the inter-broker one (when there are several); per listener: listener.name.<listener>.max.connection.creation.rate, which defaults to this value. Connections over the rate wait to be accepted.', { validator: atLeast(0), dynamic: true }),
  broker('max.connections.per.ip.overrides', STRING, '', 'Per-address exceptions to max.connections.per.ip, as address:count pairs separated by commas.', { validator: perIpOverrides, dynamic: true }),
  broker('connection.failed.authentication.delay.ms', INT, '100', 'A failed authentication is answered and its connection closed this long after the failure.', { validator: atLeast(0) }),
  broker('queued.max.request.bytes', LONG, '268435456', 'Request bytes received and not yet handled, across all connections, before reading from clients pauses; 0 or less for no bound. Kafka\'s default is -1: Creek bounds it at 256 MiB.'),
  broker('sasl.server.max.receive.size', INT, '524288', 'Largest request a client may send on a SASL listener before it has authenticated; larger ones close the connection.', { validator: atLeast(1) }),
  broker('fetch.max.bytes', INT, '57671680', 'Most bytes a fetch response carries, for consumers and followers alike: a fetch\'s max_bytes above it is lowered to it, and its min_bytes to at most it. Not an absolute maximum: the first batch of the first partition with records comes whole however large.', { validator: atLeast(1024) }),
  // ---- topics ----
  broker('auto.create.topics.enable', BOOLEAN, 'true', 'Whether metadata requests for unknown topics create them.'),
  broker('delete.topic.enable', BOOLEAN, 'true', 'Whether DeleteTopics is allowed.'),
  broker('num.partitions', INT, '1', 'Partitions of a topic created without a count.', { validator: atLeast(1) }),
  broker('default.replication.factor', INT, '1', 'Replication factor of automatically created topics.'),
  broker('auto.leader.rebalance.enable', BOOLEAN, 'true', 'In a cluster, the controller gives leadership back to preferred replicas by itself: every leader.imbalance.check.interval.seconds, each partition whose first assigned replica is live and in the ISR but does not lead gets a preferred leader election (new leader epoch), as with ElectLeaders. A single broker leads all its partitions.'),
  broker('leader.imbalance.check.interval.seconds', LONG, '300', 'How often the controller checks for partitions to give back to their preferred replica (auto.leader.rebalance.enable).', { validator: atLeast(1) }),
  // ---- log storage ----
  broker('log.dir', LIST, './data', 'Directory for log data, used when log.dirs is not set.'),
  broker('log.dirs', LIST, null, 'Directories for log data; Creek uses the first.'),
  topicDefault('log.segment.bytes', 'segment.bytes', INT, '1073741824'),
  topicDefault('log.roll.ms', 'segment.ms', LONG, null, true),
  readOnlySynonym('log.roll.hours', INT, '168', 'Segment roll time in hours, used when log.roll.ms is not set.', atLeast(1)),
  topicDefault('log.roll.jitter.ms', 'segment.jitter.ms', LONG, null, true),
  readOnlySynonym('log.roll.jitter.hours', INT, '0', 'Segment roll jitter in hours, used when log.roll.jitter.ms is not set.', atLeast(0)),
  topicDefault('log.retention.ms', 'retention.ms', LONG, null, true),
  readOnlySynonym('log.retention.minutes', INT, null, 'Retention in minutes, used when log.retention.ms is not set.'),
  readOnlySynonym('log.retention.hours', INT, '168', 'Retention in hours, used when neither log.retention.ms nor log.retention.minutes is set.'),
  topicDefault('log.retention.bytes', 'retention.bytes', LONG, '-1'),
  broker('log.retention.check.interval.ms', LONG, '300000', 'How often segments are checked for deletion.', { validator: atLeast(1) }),
  topicDefault('log.cleanup.policy', 'cleanup.policy', LIST, 'delete'),
  topicDefault('log.index.size.max.bytes', 'segment.index.bytes', INT, '10485760'),
  topicDefault('log.index.interval.bytes', 'index.interval.bytes', INT, '4096'),
  topicDefault('log.flush.interval.messages', 'flush.messages', LONG, LONG_MAX_STRING),
  topicDefault('log.flush.interval.ms', 'flush.ms', LONG, null, true),
  readOnlySynonym('log.flush.scheduler.interval.ms', LONG, LONG_MAX_STRING, 'How often logs are checked for a due flush; the default of log.flush.interval.ms.'),
  broker('log.flush.offset.checkpoint.interval.ms', INT, '60000', 'How often Kafka saves recovery points; accepted for compatibility (Creek saves a partition\'s recovery point at each flush and segment roll).', { validator: atLeast(0) }),
  topicDefault('log.segment.delete.delay.ms', 'file.delete.delay.ms', LONG, '60000'),
  topicDefault('log.preallocate', 'preallocate', BOOLEAN, 'false'),
  topicDefault('log.message.timestamp.type', 'message.timestamp.type', STRING, 'CreateTime'),
  topicDefault('log.message.timestamp.before.max.ms', 'message.timestamp.before.max.ms', LONG, LONG_MAX_STRING),
  topicDefault('log.message.timestamp.after.max.ms', 'message.timestamp.after.max.ms', LONG, '3600000'),
  topicDefault('log.message.downconversion.enable', 'message.downconversion.enable', BOOLEAN, 'true'),
  topicDefault('log.local.retention.ms', 'local.retention.ms', LONG, '-2'),
  topicDefault('log.local.retention.bytes', 'local.retention.bytes', LONG, '-2'),
  broker('log.cleaner.enable', BOOLEAN, 'true', 'Whether the log cleaner runs for compacted topics.'),
  broker('log.cleaner.threads', INT, '1', 'Log cleaner threads in Kafka; no effect (Creek has one cleaner, cleaning one log at a time in slices on its event loop; 0 does not stop it, log.cleaner.enable=false does).', { validator: atLeast(0), dynamic: true }),
  broker('log.cleaner.backoff.ms', LONG, '15000', 'Sleep of the cleaner when there is nothing to clean.', { validator: atLeast(0), dynamic: true }),
  broker('log.cleaner.dedupe.buffer.size', LONG, '134217728', 'Memory of the cleaner\'s key → offset map; a dirty section with more keys is cleaned in several rounds.', { validator: atLeast(1024 * 1024), dynamic: true }),
  topicDefault('log.cleaner.delete.retention.ms', 'delete.retention.ms', LONG, '86400000'),
  topicDefault('log.cleaner.min.compaction.lag.ms', 'min.compaction.lag.ms', LONG, '0'),
  topicDefault('log.cleaner.max.compaction.lag.ms', 'max.compaction.lag.ms', LONG, LONG_MAX_STRING),
  topicDefault('log.cleaner.min.cleanable.ratio', 'min.cleanable.dirty.ratio', DOUBLE, '0.5'),
  broker('num.recovery.threads.per.data.dir', INT, '2', 'Threads recovering logs at startup in Kafka; accepted for compatibility (Creek opens logs one after another, and after a clean shutdown reads no segment but active ones under 1 MiB).', { validator: atLeast(1), dynamic: true }),
  topicDefault('message.max.bytes', 'max.message.bytes', INT, '1048588'),
  topicDefault('min.insync.replicas', 'min.insync.replicas', INT, '1'),
  topicDefault('compression.type', 'compression.type', STRING, 'producer'),
  topicDefault('compression.gzip.level', 'compression.gzip.level', INT, '-1'),
  topicDefault('compression.lz4.level', 'compression.lz4.level', INT, '9'),
  topicDefault('compression.zstd.level', 'compression.zstd.level', INT, '3'),
  topicDefault('unclean.leader.election.enable', 'unclean.leader.election.enable', BOOLEAN, 'false'),
  // ---- replication ----
  broker('num.replica.fetchers', INT, '1', 'Replica fetcher threads; no effect (Creek fetches from each leader broker over one connection on its event loop).', { validator: atLeast(1), dynamic: true }),
  broker('replica.fetch.max.bytes', INT, '1048576', 'Bytes a follower\'s fetch asks for from each partition; not an absolute maximum: the first batch of the first partition with records comes whole however large, so that replication progresses.', { validator: atLeast(0) }),
  broker('replica.fetch.response.max.bytes', INT, '10485760', 'Bytes a follower\'s fetch asks for in all; not an absolute maximum, as replica.fetch.max.bytes.', { validator: atLeast(0) }),
  broker('replica.fetch.min.bytes', INT, '1', 'Bytes a follower\'s fetch waits at its leader to have, up to replica.fetch.wait.max.ms.'),
  broker('replica.fetch.backoff.ms', INT, '1000', 'How long a follower leaves out of its fetches a partition whose fetch failed at the leader; also its wait when nothing is left to fetch, and after a failed connection to a leader before it connects again.', { validator: atLeast(0) }),
  broker('replica.socket.receive.buffer.bytes', INT, '65536', 'SO_RCVBUF of a follower\'s connections to its leaders; -1 keeps the OS default.'),
  broker('replica.lag.time.max.ms', LONG, '30000', 'Time after which a silent follower leaves the ISR.'),
  broker('leader.replication.throttled.rate', LONG, LONG_MAX_STRING, 'Bytes per second this broker sends, as a leader, to followers out of the ISR of the partitions its topics\' leader.replication.throttled.replicas name for it; once over, those partitions are left out of such fetches.', { validator: atLeast(0), dynamic: true }),
  broker('follower.replication.throttled.rate', LONG, LONG_MAX_STRING, 'Bytes per second this broker fetches, as a follower out of the ISR, for the partitions its topics\' follower.replication.throttled.replicas name for it; once over, it leaves those partitions out of its fetches.', { validator: atLeast(0), dynamic: true }),
  broker('replication.quota.window.num', INT, '11', 'Samples the replication throttle rates are measured over.', { validator: atLeast(1) }),
  broker('replication.quota.window.size.seconds', INT, '1', 'Length of each sample of the replication throttle rates.', { validator: atLeast(1) }),
  broker('replica.fetch.wait.max.ms', INT, '500', 'Longest wait of a follower\'s fetch at its leader for new data; at most replica.socket.timeout.ms and replica.lag.time.max.ms.'),
  broker('replica.socket.timeout.ms', INT, '30000', 'Time a follower\'s connection to its leader has to become ready (connected, TLS handshake, SASL exchange) before the attempt is given up; at least replica.fetch.wait.max.ms.'),
  broker('request.timeout.ms', INT, '30000', 'Time this broker waits for another broker\'s answer (replica fetches, transaction markers, transaction verification) before it closes the connection and fails the request; it is retried on a new connection.'),
  // ---- group coordinator ----
  broker('group.initial.rebalance.delay.ms', INT, '3000', 'Wait for more members before the first rebalance of an empty classic group. Kafka\'s 3000 is kept; lower it (e.g. 0) for faster local tests.'),
  broker('group.min.session.timeout.ms', INT, '6000', 'Smallest session timeout a classic group member may ask for.'),
  broker('group.max.session.timeout.ms', INT, '1800000', 'Largest session timeout a classic group member may ask for.'),
  broker('group.max.size', INT, INT_MAX, 'Most members a classic group may have.', { validator: atLeast(1) }),
  broker('group.coordinator.rebalance.protocols', LIST, 'classic,consumer,streams', 'Group protocols the coordinator serves.', { validator: listOf('classic', 'consumer', 'share', 'streams') }),
  broker('group.consumer.session.timeout.ms', INT, '45000', 'Session timeout of consumer-protocol (KIP-848) members.', { validator: atLeast(1) }),
  broker('group.consumer.heartbeat.interval.ms', INT, '5000', 'Heartbeat interval of consumer-protocol (KIP-848) members.', { validator: atLeast(1) }),
  broker('group.consumer.max.size', INT, INT_MAX, 'Most members a consumer-protocol group may have.', { validator: atLeast(1) }),
  broker('group.streams.session.timeout.ms', INT, '45000', 'Session timeout of streams-protocol (KIP-1071) members.', { validator: atLeast(1) }),
  broker('group.streams.heartbeat.interval.ms', INT, '5000', 'Heartbeat interval given to streams-protocol (KIP-1071) members.', { validator: atLeast(1) }),
  broker('group.streams.max.size', INT, INT_MAX, 'Most members a streams group may have.', { validator: atLeast(1) }),
  broker('group.streams.num.standby.replicas', INT, '0', 'Standby replicas of each stateful task of a streams group.', { validator: atLeast(0) }),
  broker('group.streams.initial.rebalance.delay.ms', INT, '3000', 'Wait for more members before the first task assignment of a new streams group.', { validator: atLeast(0) }),
  broker('group.streams.acceptable.recovery.lag', LONG, '10000', 'Lag up to which a streams client counts as caught up on a task (told to the members).', { validator: atLeast(0) }),
  broker('group.streams.task.offset.interval.ms', INT, '60000', 'How often streams members report their task changelog offsets (told to the members).', { validator: atLeast(1) }),
  broker('offsets.retention.minutes', INT, '10080', 'How long committed offsets of an empty group are kept.', { validator: atLeast(1) }),
  broker('offsets.retention.check.interval.ms', LONG, '600000', 'How often expired offsets are looked for.', { validator: atLeast(1) }),
  broker('offsets.topic.num.partitions', INT, '50', 'Partitions of __consumer_offsets in a cluster (a single node uses one).', { validator: atLeast(1) }),
  broker('offsets.topic.replication.factor', SHORT, '3', 'Replication factor of __consumer_offsets, capped at the live brokers when it is created.', { validator: atLeast(1) }),
  broker('offsets.topic.segment.bytes', INT, '104857600', 'Segment size of __consumer_offsets.', { validator: atLeast(1) }),
  broker('offsets.commit.timeout.ms', INT, '5000', 'Time an offset commit waits for replication.', { validator: atLeast(1) }),
  broker('offset.metadata.max.bytes', INT, '4096', 'Largest metadata string of a committed offset.'),
  // ---- transactions and producer ids ----
  broker('transactional.id.expiration.ms', INT, '604800000', 'A transactional id with no transaction for this long expires.', { validator: atLeast(1) }),
  broker('transaction.max.timeout.ms', INT, '900000', 'Largest transaction timeout a producer may ask for.', { validator: atLeast(1) }),
  broker('transaction.abort.timed.out.transaction.cleanup.interval.ms', INT, '10000', 'How often timed-out transactions are aborted.', { validator: atLeast(1) }),
  broker('transaction.remove.expired.transaction.cleanup.interval.ms', INT, '3600000', 'How often expired transactional ids are removed.', { validator: atLeast(1) }),
  broker('transaction.state.log.num.partitions', INT, '50', 'Partitions of __transaction_state.', { validator: atLeast(1) }),
  broker('transaction.state.log.replication.factor', SHORT, '3', 'Replication factor of __transaction_state, capped at the live brokers when it is created.', { validator: atLeast(1) }),
  broker('transaction.state.log.min.isr', INT, '2', 'min.insync.replicas of __transaction_state, capped at its replication factor.', { validator: atLeast(1) }),
  broker('transaction.state.log.segment.bytes', INT, '104857600', 'Segment size of __transaction_state.', { validator: atLeast(1) }),
  broker('transaction.partition.verification.enable', BOOLEAN, 'true', 'Whether partitions are verified to be in a transaction before transactional writes (KIP-890).', { dynamic: true }),
  broker('producer.id.expiration.ms', INT, '86400000', 'Idempotent producer state is dropped after this long without writes.', { validator: atLeast(1), dynamic: true }),
  broker('producer.id.expiration.check.interval.ms', INT, '600000', 'How often expired producer ids are removed.', { validator: atLeast(1) }),
  // ---- Creek ----
  broker('cluster.id', STRING, null, 'Cluster id reported to clients; generated when not set.', { creek: true }),
  broker('creek.storage', STRING, 'disk', 'Where logs live: "disk" under log.dirs, or "memory" (lost on exit).', { creek: true, validator: oneOf('disk', 'memory') }),
  broker('creek.log.format', STRING, 'auto', 'How the creek command prints its log: "json" (one pino object a line), "pretty" (one short line for people), or "auto" (pretty when stdout is a terminal, else JSON).', { creek: true, validator: oneOf(...LOG_FORMATS) }),
  broker('creek.request.read.timeout.ms', LONG, '60000', 'A request whose bytes are not all received this long after its size prefix closes the connection (the clock restarts whenever the broker paused reading); 0 for no limit.', { creek: true, validator: atLeast(0) }),
  broker('creek.log.max.open.files', INT, '2048', 'Most segment files kept open at once; the least recently used are closed (and reopened on use) beyond it. Kafka keeps every segment open.', { creek: true, validator: atLeast(1) }),
  broker('creek.log.tail.cache.max.bytes', LONG, '134217728', 'Most bytes the partitions\' in-memory tails hold together. Each keeps up to 1 MiB of its latest appends, so that fetches at the log end never read the file; beyond this bound the tails of the partitions written least recently are dropped (their fetches read the file, through the page cache, as Kafka\'s do).', { creek: true, validator: atLeast(0) }),
  broker('max.broker.partitions', INT, '20000', 'Most partitions this broker holds; CreateTopics and CreatePartitions beyond it are refused with POLICY_VIOLATION (the name KIP-578 proposed; Kafka 4 has no such bound).', { creek: true, validator: atLeast(1) }),
  broker('creek.log.level', STRING, 'info', 'Creek\'s own log level.', { creek: true, validator: oneOf(...LOG_LEVELS) }),
  broker('creek.http.port', INT, null, 'Port of the HTTP listener (web console, /metrics, schema registry); 0 picks a free port, -1 or unset serves none (the creek command defaults to 8080).', { creek: true, validator: between(-1, 65535) }),
  broker('creek.http.host', STRING, '127.0.0.1', 'Address the HTTP listener binds; loopback unless set.', { creek: true }),
  broker('creek.console.writes.enable', BOOLEAN, 'true', 'Whether the web console may change anything: produce records, create and delete topics, reset consumer group offsets. Off, these are refused with HTTP 403 and the console only reads.', { creek: true }),
  broker('creek.faults.enable', BOOLEAN, 'false', 'Fault injection for tests (failed, delayed or dropped requests, lost leadership, stalled writes, paused groups) through the embedded broker and POST/GET/DELETE /admin/faults on the HTTP listener; on by default for startBroker().', { creek: true }),
  broker('creek.etcd.endpoints', LIST, '', 'etcd client URLs (http://host:port or https://host:port, comma-separated) of the etcd that holds the cluster\'s state in cluster mode; empty for a single broker.', { creek: true, validator: etcdEndpoints }),
  broker('creek.etcd.prefix', STRING, '/creek/default/', 'Key prefix in etcd of this cluster\'s state: the brokers of a cluster share it, clusters sharing an etcd use different ones.', { creek: true, validator: etcdPrefix }),
  broker('creek.etcd.lease.ttl.ms', INT, '6000', 'How long a broker stays live in etcd without renewing its lease (whole seconds; etcd rounds up): a broker that dies is out of the cluster, and its controller role taken over, about this long after.', { creek: true, validator: atLeast(1000) }),
  broker('creek.etcd.startup.timeout.ms', INT, '15000', 'How long a starting broker keeps trying to reach etcd before it gives up with an error.', { creek: true, validator: atLeast(0) }),
  // ---- how a broker authenticates to etcd (Kafka's zookeeper.ssl.* keys, under Creek's etcd prefix) ----
  broker('creek.etcd.ssl.truststore.location', STRING, null, 'CA certificates etcd\'s server certificate is verified against (etcdctl\'s --cacert): a PEM file, or a PKCS12 truststore. Needed for https:// endpoints.', { creek: true }),
  broker('creek.etcd.ssl.truststore.type', STRING, null, 'PEM, PKCS12 or JKS (a PKCS12 file, as Java reads it); unset, taken from the file name as ZooKeeper does: .p12 or .pfx PKCS12, .jks JKS, anything else PEM.', { creek: true, validator: etcdStoreType }),
  broker('creek.etcd.ssl.truststore.password', PASSWORD, null, 'Password of a PKCS12 truststore.', { creek: true }),
  broker('creek.etcd.ssl.keystore.location', STRING, null, 'The client key and certificate chain presented to an etcd that runs with --client-cert-auth: a PEM file holding both (cat client-key.pem client.pem), or a PKCS12 keystore.', { creek: true }),
  broker('creek.etcd.ssl.keystore.type', STRING, null, 'PEM, PKCS12 or JKS (a PKCS12 file, as Java reads it); unset, taken from the file name as ZooKeeper does: .p12 or .pfx PKCS12, .jks JKS, anything else PEM.', { creek: true, validator: etcdStoreType }),
  broker('creek.etcd.ssl.keystore.password', PASSWORD, null, 'Password of a PKCS12 keystore, or of an encrypted PEM private key.', { creek: true }),
  broker('creek.etcd.username', STRING, null, 'etcd user the brokers authenticate as when etcd runs with authentication enabled (etcdctl auth enable); it needs read and write permission on creek.etcd.prefix.', { creek: true }),
  broker('creek.etcd.password', PASSWORD, null, 'Password of creek.etcd.username.', { creek: true }),
];

const BY_NAME = new Map(BROKER_CONFIGS.map((def) => [def.name, def]));

export function brokerConfigDef(name: string): BrokerConfigDef | undefined {
  return BY_NAME.get(name);
}

const LISTENER_OVERRIDE = /^listener\.name\.[^.]+\.(ssl\..+|max\.connection\.creation\.rate|max\.connections)$/;

/** The definition of a per-listener override `listener.name.<listener>.<key>` of ssl.*, max.connection.creation.rate and max.connections, checked as the broker-wide key. */
export function listenerOverrideDef(name: string): BrokerConfigDef | undefined {
  const def = listenerOverrideBase(name);
  return def === undefined ? undefined : { ...def, name };
}

/** The broker-wide config a per-listener override `listener.name.<listener>.<key>` stands in for, on its listener. */
export function listenerOverrideBase(name: string): BrokerConfigDef | undefined {
  const base = LISTENER_OVERRIDE.exec(name)?.[1];
  return base === undefined ? undefined : BY_NAME.get(base);
}

/** `listener.name.<listener>.<key>`, listener names lower-cased as in Kafka's ListenerName.configPrefix. */
export function listenerKey(listener: string, key: string): string {
  return `listener.name.${listener.toLowerCase()}.${key}`;
}

/** Groups of broker configs that stand for one another, highest priority first (brokerConfigSynonyms). */
const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['log.roll.ms', 'log.roll.hours'],
  ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
  ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'],
  ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
];

/** The config and the lower-priority configs that stand in for it (a per-listener override: the broker-wide key). */
export function brokerSynonyms(name: string): readonly string[] {
  const base = listenerOverrideBase(name);
  if (base !== undefined) return [name, base.name];
  const group = SYNONYM_GROUPS.find((g) => g.includes(name));
  return group === undefined ? [name] : group.slice(group.indexOf(name));
}
