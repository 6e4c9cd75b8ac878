import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBrokerConfig, resolveBrokerConfig } from '../../../src/config/broker-config.js';
import { newKafkaUuid } from '../../../src/kafka-uuid.js';
import { parseBrokerArgs } from '../../../src/config/cli-args.js';
import { problemsOf } from '../../helpers/config-problems.js';
import { envLayer, envVarToKey } from '../../../src/config/env.js';
import { KAFKA_SERVER_PROPERTIES } from './kafka-server-properties.js';

function tempFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'creek-config-')), 'server.properties');
  writeFileSync(path, text);
  return path;
}

describe('defaults', () => {
  const config = resolveBrokerConfig();

  it('has Creek defaults where they differ from Kafka', () => {
    expect(config.listener).toEqual({ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 'PLAINTEXT' });
    expect(config.advertised).toEqual(config.listener);
    expect(config.nodeId).toBe(1);
    expect(config.logDir).toBe('./data');
    expect(config.storage).toBe('disk');
    expect(config.logLevel).toBe('info');
  });

  it('has Kafka defaults elsewhere', () => {
    expect(config).toMatchObject({
      numPartitions: 1,
      defaultReplicationFactor: 1,
      autoCreateTopicsEnable: true,
      deleteTopicEnable: true,
      messageMaxBytes: 1048588,
      logRetentionMs: 168 * 3600_000,
      logRetentionBytes: -1,
      logSegmentBytes: 1073741824,
      logRollMs: 168 * 3600_000,
      logRetentionCheckIntervalMs: 300000,
      logCleanupPolicy: ['delete'],
      logMessageTimestampType: 'CreateTime',
      logFlushIntervalMessages: Number.MAX_SAFE_INTEGER,
      logFlushIntervalMs: Number.MAX_SAFE_INTEGER,
      logIndexIntervalBytes: 4096,
      groupInitialRebalanceDelayMs: 3000,
      groupMinSessionTimeoutMs: 6000,
      groupMaxSessionTimeoutMs: 1800000,
      offsetsRetentionMs: 10080 * 60_000,
      offsetsTopicNumPartitions: 50,
      transactionalIdExpirationMs: 604800000,
      transactionMaxTimeoutMs: 900000,
      transactionAbortTimedOutTransactionCleanupIntervalMs: 10000,
      fetchMaxBytes: 57671680,
    });
    expect(config.staticProps.size).toBe(0);
    expect(config.warnings).toEqual([]);
  });

  it('generates a Kafka-shaped cluster id when none is set', () => {
    expect(config.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(newKafkaUuid()).not.toBe(newKafkaUuid());
    expect(resolveBrokerConfig({ clusterId: 'MkU3OEVBNTcwNTJENDM2Qk' }).clusterId).toBe('MkU3OEVBNTcwNTJENDM2Qk');
  });
});

describe('retention and roll precedence', () => {
  it('prefers ms over minutes over hours', () => {
    const hours = resolveBrokerConfig({ properties: { 'log.retention.hours': 1 } });
    expect(hours.logRetentionMs).toBe(3600_000);
    const minutes = resolveBrokerConfig({ properties: { 'log.retention.hours': 1, 'log.retention.minutes': 5 } });
    expect(minutes.logRetentionMs).toBe(300_000);
    const ms = resolveBrokerConfig({ properties: { 'log.retention.hours': 1, 'log.retention.minutes': 5, 'log.retention.ms': 1234 } });
    expect(ms.logRetentionMs).toBe(1234);
  });

  it('reads any negative retention as unlimited', () => {
    expect(resolveBrokerConfig({ properties: { 'log.retention.ms': -5 } }).logRetentionMs).toBe(-1);
    expect(resolveBrokerConfig({ properties: { 'log.retention.hours': -1 } }).logRetentionMs).toBe(-1);
  });

  it('prefers log.roll.ms over log.roll.hours and log.flush.interval.ms over the scheduler interval', () => {
    expect(resolveBrokerConfig({ properties: { 'log.roll.hours': 2 } }).logRollMs).toBe(7200_000);
    expect(resolveBrokerConfig({ properties: { 'log.roll.hours': 2, 'log.roll.ms': 60000 } }).logRollMs).toBe(60000);
    expect(resolveBrokerConfig({ properties: { 'log.flush.scheduler.interval.ms': 500 } }).logFlushIntervalMs).toBe(500);
    expect(resolveBrokerConfig({ properties: { 'log.flush.interval.ms': 100, 'log.flush.scheduler.interval.ms': 500 } }).logFlushIntervalMs).toBe(100);
  });
});

describe('identity and storage keys', () => {
  it('accepts broker.id as node.id and refuses a mismatch', () => {
    expect(resolveBrokerConfig({ properties: { 'broker.id': 7 } }).nodeId).toBe(7);
    expect(resolveBrokerConfig({ properties: { 'broker.id': 7, 'node.id': 7 } }).nodeId).toBe(7);
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'broker.id': 7, 'node.id': 8 } }))).toEqual([
      'broker.id (7) and node.id (8) must be equal when both are set',
    ]);
  });

  it('prefers log.dirs over log.dir and uses the first directory', () => {
    expect(resolveBrokerConfig({ properties: { 'log.dir': '/a' } }).logDir).toBe('/a');
    expect(resolveBrokerConfig({ properties: { 'log.dir': '/a', 'log.dirs': '/b, /c' } }).logDir).toBe('/b');
  });

  it('reads memory mode and the log level', () => {
    const config = resolveBrokerConfig({ memory: true, logLevel: 'debug' });
    expect(config.storage).toBe('memory');
    expect(config.logLevel).toBe('debug');
    expect(resolveBrokerConfig({ properties: { 'creek.storage': 'memory' } }).storage).toBe('memory');
  });
});

describe('listeners', () => {
  it('skips controller listeners and advertises the matching listener', () => {
    const config = resolveBrokerConfig({
      properties: {
        listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093',
        'advertised.listeners': 'CONTROLLER://localhost:9093,PLAINTEXT://localhost:19092',
        'controller.listener.names': 'CONTROLLER',
      },
    });
    expect(config.listener).toMatchObject({ name: 'PLAINTEXT', host: '', port: 9092 });
    expect(config.advertised).toMatchObject({ name: 'PLAINTEXT', host: 'localhost', port: 19092 });
  });

  it('advertises the machine name for a wildcard listen address', () => {
    const config = resolveBrokerConfig({ host: '0.0.0.0' });
    expect(config.listener.host).toBe('0.0.0.0');
    expect(config.advertised.host).toBe(hostname());
  });

  it('reads IPv6 hosts and the security protocol map', () => {
    const config = resolveBrokerConfig({
      properties: { listeners: 'CLIENT://[::1]:9094', 'listener.security.protocol.map': 'CLIENT:SASL_PLAINTEXT', 'sasl.enabled.mechanisms': 'SCRAM-SHA-256' },
    });
    expect(config.listener).toEqual({ name: 'CLIENT', host: '::1', port: 9094, securityProtocol: 'SASL_PLAINTEXT' });
    expect(config.staticProps.get('listeners')).toBe('CLIENT://[::1]:9094');
  });

  it('refuses malformed listeners and unmapped listener names', () => {
    expect(problemsOf(() => resolveBrokerConfig({ properties: { listeners: 'localhost:9092' } }))[0]).toMatch(
      /^Invalid value localhost:9092 for configuration listeners: Unable to parse localhost:9092 to a broker endpoint/,
    );
    expect(problemsOf(() => resolveBrokerConfig({ properties: { listeners: 'CLIENT://:9092' } }))).toEqual([
      'No security protocol defined for listener CLIENT (set listener.security.protocol.map)',
    ]);
  });

  it('rewrites host and port of the client listener from flags, keeping the others', () => {
    const config = resolveBrokerConfig({
      host: 'localhost',
      port: 0,
      properties: { listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093', 'controller.listener.names': 'CONTROLLER' },
    });
    expect(config.listener).toMatchObject({ host: 'localhost', port: 0 });
    expect(config.staticProps.get('listeners')).toBe('PLAINTEXT://localhost:0,CONTROLLER://:9093');
  });

  it('derives advertised.listeners from the flags when only part is given', () => {
    const hostOnly = resolveBrokerConfig({ port: 9999, advertisedHost: 'kafka.local' });
    expect(hostOnly.advertised).toMatchObject({ host: 'kafka.local', port: 9999 });
    const portOnly = resolveBrokerConfig({ advertisedPort: 29092 });
    expect(portOnly.advertised).toMatchObject({ host: '127.0.0.1', port: 29092 });
    expect(portOnly.listener.port).toBe(9092);
  });
});

describe('validation', () => {
  it('reports every bad value with its source', () => {
    const problems = problemsOf(() =>
      loadBrokerConfig({
        argv: ['--override', 'message.max.bytes=big'],
        env: { CREEK_NUM_PARTITIONS: 'three', KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'yes' },
      }),
    );
    expect(problems).toEqual(expect.arrayContaining([
      'Invalid value three for configuration num.partitions: Not a number of type INT (from environment variable CREEK_NUM_PARTITIONS)',
      'Invalid value yes for configuration auto.create.topics.enable: Expected value to be either true or false (from environment variable KAFKA_AUTO_CREATE_TOPICS_ENABLE)',
      'Invalid value big for configuration message.max.bytes: Not a number of type INT (from --override)',
    ]));
    expect(problems).toHaveLength(3);
  });

  it('checks ranges and enumerations', () => {
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'num.partitions': 0 } }))).toEqual([
      'Invalid value 0 for configuration num.partitions: Value must be at least 1 (from option num.partitions)',
    ]);
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'log.cleanup.policy': 'delete,compacted' } }))[0]).toContain(
      'String must be one of: compact, delete',
    );
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'creek.log.level': 'loud' } }))[0]).toContain(
      'String must be one of: fatal, error, warn, info, debug, trace, silent',
    );
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'socket.request.max.bytes': 2 ** 31 } }))[0]).toContain(
      'Not a number of type INT',
    );
  });

  it('checks the leader-balance keys as Kafka 4 does, which no longer knows leader.imbalance.per.broker.percentage', () => {
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'leader.imbalance.check.interval.seconds': 0 } }))).toEqual([
      'Invalid value 0 for configuration leader.imbalance.check.interval.seconds: Value must be at least 1 (from option leader.imbalance.check.interval.seconds)',
    ]);
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'leader.imbalance.check.interval.seconds': '1.5' } }))[0]).toContain('Not a number of type LONG');
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'auto.leader.rebalance.enable': 'sometimes' } }))[0]).toContain('Expected value to be either true or false');
    const config = resolveBrokerConfig({ properties: { 'leader.imbalance.check.interval.seconds': 1, 'leader.imbalance.per.broker.percentage': 10 } });
    expect(config.warnings).toEqual(['Unknown configuration leader.imbalance.per.broker.percentage (from option leader.imbalance.per.broker.percentage) is kept but has no effect']);
  });

  it('trims values and accepts Java number forms', () => {
    const config = resolveBrokerConfig({ properties: { 'num.partitions': ' +3 ', 'delete.topic.enable': ' FALSE ' } });
    expect(config.numPartitions).toBe(3);
    expect(config.deleteTopicEnable).toBe(false);
  });

  it('keeps unknown keys with a warning', () => {
    const config = resolveBrokerConfig({ properties: { 'zookeeper.connect': 'localhost:2181' } });
    expect(config.staticProps.get('zookeeper.connect')).toBe('localhost:2181');
    expect(config.warnings).toEqual([
      'Unknown configuration zookeeper.connect (from option zookeeper.connect) is kept but has no effect',
    ]);
  });

  it('refuses bad flag values', () => {
    expect(problemsOf(() => loadBrokerConfig({ argv: ['--port', '99999'], env: {} }))).toEqual([
      'Invalid value 99999 for --port: expected a port number from 0 to 65535',
    ]);
    expect(problemsOf(() => loadBrokerConfig({ argv: ['--node-id', '-2'], env: {} }))).toEqual([
      'Invalid value -2 for configuration node.id: Value must be at least 0 (from --node-id)',
    ]);
  });
});

describe('sources and precedence', () => {
  it('layers defaults < file < environment < --override < flags', () => {
    const file = tempFile('num.partitions=2\ndefault.replication.factor=2\nlog.segment.bytes=2097152\nlog.dirs=/file\nnode.id=2\n');
    const env = { KAFKA_DEFAULT_REPLICATION_FACTOR: '3', CREEK_LOG_SEGMENT_BYTES: '3145728', KAFKA_LOG_SEGMENT_BYTES: '9999999' };
    const config = loadBrokerConfig({
      argv: ['--config', file, '--override', 'log.segment.bytes=4194304', '--override=log.dirs=/override', '--data-dir', '/flag'],
      env,
    });
    expect(config.numPartitions).toBe(2);
    expect(config.defaultReplicationFactor).toBe(3);
    expect(config.logSegmentBytes).toBe(4194304);
    expect(config.logDir).toBe('/flag');
    expect(config.nodeId).toBe(2);
    expect(config.staticProps.get('log.dirs')).toBe('/flag');
  });

  it('prefers CREEK_ over KAFKA_ variables', () => {
    const config = loadBrokerConfig({ argv: [], env: { CREEK_NUM_PARTITIONS: '4', KAFKA_NUM_PARTITIONS: '5' } });
    expect(config.numPartitions).toBe(4);
  });

  it('takes the config file from a positional argument or the file input', () => {
    const file = tempFile('num.partitions=6\n');
    expect(loadBrokerConfig({ argv: [file], env: {} }).numPartitions).toBe(6);
    expect(loadBrokerConfig({ argv: [], env: {}, file }).numPartitions).toBe(6);
  });

  it('names an unreadable config file', () => {
    expect(problemsOf(() => loadBrokerConfig({ argv: ['--config', '/nonexistent/creek.properties'], env: {} }))[0]).toMatch(
      /^Cannot read config file \/nonexistent\/creek.properties: /,
    );
  });

  it('reads Kafka\'s KRaft quickstart server.properties without warnings', () => {
    const file = tempFile(KAFKA_SERVER_PROPERTIES);
    const config = loadBrokerConfig({ argv: [file], env: {} });
    expect(config.warnings).toEqual([]);
    expect(config.listener).toMatchObject({ name: 'PLAINTEXT', host: '', port: 9092 });
    expect(config.advertised).toMatchObject({ host: 'localhost', port: 9092 });
    expect(config.logDir).toBe('/tmp/kraft-combined-logs');
  });

  it('reads docker-compose style KAFKA_ variables', () => {
    const config = loadBrokerConfig({
      argv: [],
      env: {
        KAFKA_NODE_ID: '3',
        KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092',
        KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://broker:29092',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_HEAP_OPTS: '-Xmx1G',
        CLUSTER_ID: 'MkU3OEVBNTcwNTJENDM2Qk',
        PATH: '/usr/bin',
      },
    });
    expect(config).toMatchObject({ nodeId: 3, groupInitialRebalanceDelayMs: 0, clusterId: 'MkU3OEVBNTcwNTJENDM2Qk' });
    expect(config.listener).toMatchObject({ host: '0.0.0.0', port: 9092 });
    expect(config.advertised).toMatchObject({ host: 'broker', port: 29092 });
    expect(config.warnings).toEqual([]);
  });
});

describe('environment variable names', () => {
  it('converts like the Kafka Docker images', () => {
    expect(envVarToKey('NUM_PARTITIONS')).toBe('num.partitions');
    expect(envVarToKey('LISTENER_NAME_INTERNAL__SASL_ENABLED_MECHANISMS')).toBe('listener.name.internal_sasl.enabled.mechanisms');
    expect(envVarToKey('SOME___DASHED_KEY')).toBe('some-dashed.key');
  });

  it('maps CREEK_ short names to creek.* keys', () => {
    const layer = envLayer({ CREEK_STORAGE: 'memory', CREEK_LOG_LEVEL: 'warn', CREEK_LOG_DIRS: '/d' });
    expect([...layer.keys()].sort()).toEqual(['creek.log.level', 'creek.storage', 'log.dirs']);
    expect(layer.get('creek.storage')).toEqual({ value: 'memory', origin: 'environment variable CREEK_STORAGE' });
  });
});

describe('parseBrokerArgs', () => {
  it('reads every flag in both spellings', () => {
    const args = parseBrokerArgs([
      '--host', 'h', '--port=1', '--advertised-host', 'a', '--advertised-port', '2', '--data-dir', 'd',
      '--memory', '--node-id', '3', '--log-level=warn', '--override', 'a.b=c=d',
    ]);
    expect(args.flags).toEqual({
      host: 'h', port: '1', advertisedHost: 'a', advertisedPort: '2', dataDir: 'd', memory: true, nodeId: '3', logLevel: 'warn',
    });
    expect(args.overrides.get('a.b')).toEqual({ value: 'c=d', origin: '--override' });
  });

  it('lists every problem at once', () => {
    expect(problemsOf(() => parseBrokerArgs(['--bogus', '--override', 'novalue', 'a.properties', 'b.properties', '--port']))).toEqual([
      'Unknown option --bogus',
      '--override expects key=value, got "novalue"',
      '--port needs a value',
      'Only one config file may be given, got: a.properties, b.properties',
    ]);
  });
});

describe('socket server limits', () => {
  it('checks queued.max.request.bytes, max.connections.per.ip and the failed-authentication delay against each other as Kafka does', () => {
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'queued.max.request.bytes': 1000 } }))).toEqual([
      'queued.max.request.bytes must be larger or equal to socket.request.max.bytes',
    ]);
    expect(() => resolveBrokerConfig({ properties: { 'queued.max.request.bytes': -1 } })).not.toThrow();
    expect(() => resolveBrokerConfig({ properties: { 'queued.max.request.bytes': 1000, 'socket.request.max.bytes': 1000 } })).not.toThrow();
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'max.connections.per.ip': 0 } }))).toEqual([
      'max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides property is set.',
    ]);
    expect(() => resolveBrokerConfig({ properties: { 'max.connections.per.ip': 0, 'max.connections.per.ip.overrides': '127.0.0.1:5' } })).not.toThrow();
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'max.connections.per.ip.overrides': '127.0.0.1' } }))[0]).toContain('"127.0.0.1" is not host:count');
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'connection.failed.authentication.delay.ms': 5000, 'connections.max.idle.ms': 5000 } }))).toEqual([
      'connection.failed.authentication.delay.ms=5000 should always be less than connections.max.idle.ms=5000 to prevent failed authentication responses from timing out',
    ]);
  });

  it('checks replica.fetch.wait.max.ms against replica.socket.timeout.ms and replica.lag.time.max.ms as Kafka does', () => {
    const defaults = resolveBrokerConfig({ properties: {} });
    expect([defaults.requestTimeoutMs, defaults.replicaSocketTimeoutMs, defaults.replicaFetchWaitMaxMs]).toEqual([30_000, 30_000, 500]);
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'replica.socket.timeout.ms': 400 } }))).toEqual([
      'replica.socket.timeout.ms should always be at least replica.fetch.wait.max.ms to prevent unnecessary socket timeouts',
    ]);
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'replica.fetch.wait.max.ms': 40_000, 'replica.socket.timeout.ms': 60_000 } }))).toEqual([
      'replica.fetch.wait.max.ms should always be less than or equal to replica.lag.time.max.ms to prevent frequent changes in ISR',
    ]);
    const set = resolveBrokerConfig({ properties: { 'request.timeout.ms': 1000, 'replica.socket.timeout.ms': 500, 'replica.fetch.wait.max.ms': 500 } });
    expect([set.requestTimeoutMs, set.replicaSocketTimeoutMs, set.replicaFetchWaitMaxMs]).toEqual([1000, 500, 500]);
  });

  it("takes the follower's replica.fetch.* sizes and backoff and replica.socket.receive.buffer.bytes with Kafka's defaults and checks", () => {
    expect(resolveBrokerConfig({ properties: {} })).toMatchObject({
      replicaFetchMinBytes: 1,
      replicaFetchMaxBytes: 1048576,
      replicaFetchResponseMaxBytes: 10485760,
      replicaFetchBackoffMs: 1000,
      replicaSocketReceiveBufferBytes: 65536,
    });
    const set = resolveBrokerConfig({
      properties: { 'replica.fetch.min.bytes': 0, 'replica.fetch.max.bytes': 0, 'replica.fetch.response.max.bytes': 0, 'replica.fetch.backoff.ms': 0, 'replica.socket.receive.buffer.bytes': -1 },
    });
    expect(set.warnings).toEqual([]);
    expect(set).toMatchObject({ replicaFetchMinBytes: 0, replicaFetchMaxBytes: 0, replicaFetchResponseMaxBytes: 0, replicaFetchBackoffMs: 0, replicaSocketReceiveBufferBytes: -1 });
    const negative = ['replica.fetch.max.bytes', 'replica.fetch.response.max.bytes', 'replica.fetch.backoff.ms'];
    expect(problemsOf(() => resolveBrokerConfig({ properties: Object.fromEntries(negative.map((key) => [key, -1])) }))).toEqual(
      negative.map((key) => `Invalid value -1 for configuration ${key}: Value must be at least 0 (from option ${key})`),
    );
    // Kafka checks neither.
    expect(resolveBrokerConfig({ properties: { 'replica.fetch.min.bytes': -1, 'replica.socket.receive.buffer.bytes': -2 } }).warnings).toEqual([]);
  });

  it('takes max.connection.creation.rate broker-wide (0 included, as Kafka) and per listener, refusing negative values', () => {
    const config = resolveBrokerConfig({ properties: { 'max.connection.creation.rate': 0, 'listener.name.plaintext.max.connection.creation.rate': 5 } });
    expect(config.warnings).toEqual([]);
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'listener.name.plaintext.max.connection.creation.rate': -1 } }))).toEqual([
      'Invalid value -1 for configuration listener.name.plaintext.max.connection.creation.rate: Value must be at least 0 (from option listener.name.plaintext.max.connection.creation.rate)',
    ]);
  });

  it('takes max.connections per listener, refusing negative values', () => {
    expect(resolveBrokerConfig({ properties: { 'listener.name.plaintext.max.connections': 5 } }).warnings).toEqual([]);
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'listener.name.plaintext.max.connections': -1 } }))).toEqual([
      'Invalid value -1 for configuration listener.name.plaintext.max.connections: Value must be at least 0 (from option listener.name.plaintext.max.connections)',
    ]);
  });
});
