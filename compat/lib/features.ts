// The features every client is checked for: the rows of the compatibility matrix. A scenario id
// is "<client>/<feature>".
export const FEATURES = {
  metadata: 'Metadata (brokers, topics, partitions, leaders)',
  'produce-consume': 'Produce/consume: keys, null keys, tombstones, headers',
  'large-message': 'Large message (1 MiB value)',
  'compression-gzip': 'Compression: gzip',
  'compression-snappy': 'Compression: snappy',
  'compression-lz4': 'Compression: lz4',
  'compression-zstd': 'Compression: zstd',
  partitioner: 'Per-key partition stability (default partitioner)',
  'consumer-group': 'Consumer group with rebalances',
  'consumer-protocol': 'Consumer group, KIP-848 protocol (group.protocol=consumer)',
  'commit-resume': 'Commit offsets and resume',
  'seek-offset': 'Seek by offset',
  'seek-timestamp': 'Seek by timestamp',
  'admin-topics': 'Admin: create/list/delete topics',
  'admin-partitions': 'Admin: create partitions',
  'admin-configs': 'Admin: describe/alter configs',
  'admin-groups': 'Admin: list/describe groups (and delete, where the client can)',
  'admin-offsets': 'Admin: list offsets, fetch/alter committed offsets',
  'delete-records': 'Admin: delete records',
  'admin-transactions': 'Admin: list/describe transactions, describe producers',
  'admin-scram': 'Admin: SCRAM credentials (alter/describe)',
  idempotence: 'Idempotent producer',
  transactions: 'Transactional producer',
  tls: 'TLS: metadata and produce/consume over an SSL listener',
  compaction: 'Log compaction: latest record per key (and tombstones) at original offsets',
  'error-unknown-topic': 'Error: unknown topic, auto-create off',
  'error-invalid-topic': 'Error: invalid topic name',
  'error-offset-out-of-range': 'Error: offset out of range',
  'error-message-too-large': 'Error: message too large',
  'perf-tools': 'Producer and consumer perf-test tools',
  'streams-eos': 'Kafka Streams: word count with a repartition and a state store, exactly_once_v2, restarted',
  'streams-protocol': 'Kafka Streams on the streams rebalance protocol (KIP-1071, group.protocol=streams)',
  'streams-protocol-scale': 'Kafka Streams on the streams protocol: a second instance shares the tasks, then leaves; exact counts',
  'streams-eos-crash': 'Kafka Streams: the same word count killed (SIGKILL) mid-stream and restarted, exact counts',
  'connect-standalone': 'Kafka Connect standalone: file source → topic → file sink',
  'connect-distributed': 'Kafka Connect distributed: internal topics, connector created over REST',
} as const;

export type Feature = keyof typeof FEATURES;

export const FEATURE_IDS = Object.keys(FEATURES) as Feature[];
