// kafka-python 2.0.2 (Debian python3-kafka): the pure-Python client; codecs from python3-snappy,
// python3-lz4 and python3-zstandard.
import { pythonClient } from './python.js';

export const kafkaPythonSuite = pythonClient({
  id: 'kafka-python',
  title: 'kafka-python 2.0.2',
  source: 'Debian packages `python3-kafka`, `python3-snappy`, `python3-lz4`, `python3-zstandard`',
  script: 'kafka_python_scenarios.py',
  module: 'kafka, snappy, lz4, zstandard',
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
    'error-unknown-topic',
    'error-invalid-topic',
    'error-offset-out-of-range',
    'error-message-too-large',
  ],
  notApplicable: {
    'delete-records': 'KafkaAdminClient 2.0.2 has no delete_records (later releases do)',
    idempotence: 'kafka-python 2.0.2 has no idempotent producer (later releases do)',
    transactions: 'kafka-python 2.0.2 has no transactional producer (later releases do)',
  },
});
