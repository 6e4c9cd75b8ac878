// confluent-kafka-python 1.7.0 on librdkafka 2.0.2 (Debian python3-confluent-kafka): Producer,
// Consumer and AdminClient, all codecs built into librdkafka.
import { pythonClient } from './python.js';

export const confluentKafkaSuite = pythonClient({
  id: 'confluent-kafka',
  title: 'confluent-kafka-python 1.7.0 (librdkafka 2.0)',
  source: 'Debian package `python3-confluent-kafka`',
  script: 'confluent_kafka_scenarios.py',
  module: 'confluent_kafka',
  features: [
    'metadata',
    'produce-consume',
    'large-message',
    'compression-gzip',
    'compression-snappy',
    'compression-lz4',
    'compression-zstd',
    'partitioner',
    { feature: 'consumer-group', timeoutMs: 60_000 },
    'commit-resume',
    'seek-offset',
    'seek-timestamp',
    'admin-topics',
    'admin-partitions',
    'admin-configs',
    'admin-groups',
    'admin-offsets',
    'idempotence',
    'transactions',
    'error-unknown-topic',
    'error-invalid-topic',
    'error-offset-out-of-range',
    'error-message-too-large',
  ],
  notApplicable: {
    'delete-records': 'AdminClient 1.7.0 has no delete_records (later releases do)',
  },
});
