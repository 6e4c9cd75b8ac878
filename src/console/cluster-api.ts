// The console's cluster pages: brokers with their listeners (from the cluster view, so every live
// broker of a multi-broker cluster shows), this broker's version, uptime and log dirs with their
// disk use (DescribeLogDirs, which like Kafka's describes the broker asked), the client
// connections open on this broker, and transactions (ListTransactions + DescribeTransactions).
import { ErrorCode } from '../../protocol/errors.js';
import { jsonResponse, type Router } from '../http/router.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { packageVersion } from '../cli/version.js';
import { requireAllowed, throwIfKafkaError, type ConsoleContext } from './console-context.js';

export interface ListenerView {
  name: string;
  securityProtocol: string;
  host: string;
  port: number;
}

export interface BrokerView {
  nodeId: number;
  rack: string | null;
  controller: boolean;
  /** The broker answering. */
  local: boolean;
  listeners: ListenerView[];
}

export interface LogDirView {
  logDir: string;
  errorCode: number;
  /** -1 when unknown. */
  totalBytes: number;
  usableBytes: number;
  partitionBytes: number;
}

/** GET /api/cluster */
export interface ClusterOverview {
  clusterId: string;
  controllerId: number;
  nodeId: number;
  version: string;
  startedAt: number;
  uptimeMs: number;
  storage: 'disk' | 'memory';
  consoleWritesEnabled: boolean;
  brokers: BrokerView[];
  topicCount: number;
  partitionCount: number;
  underReplicatedPartitions: number;
  logDirs: LogDirView[];
}

/** GET /api/clients: one a connection. */
export interface ClientView {
  connectionId: number;
  clientId: string | null;
  softwareName: string | null;
  softwareVersion: string | null;
  address: string;
  listener: string;
  principal: string;
}

/** GET /api/transactions: one a transactional id. */
export interface TransactionView {
  transactionalId: string;
  errorCode: number;
  state: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  startTimeMs: number;
  partitions: { topic: string; partition: number }[];
}

export function addClusterRoutes(router: Router, ctx: ConsoleContext): void {
  const { broker } = ctx;
  const version = packageVersion();

  router.add('GET', '/api/cluster', async (req) => {
    const { cluster, config } = broker;
    const listenerNames = config.listeners.map((l) => l.advertised.name);
    const securityProtocols = new Map(config.listeners.map((l) => [l.advertised.name, l.endpoint.securityProtocol]));
    const brokers = cluster.brokerIds().map((nodeId): BrokerView => ({
      nodeId,
      rack: cluster.broker(nodeId, listenerNames[0]!)?.rack ?? null,
      controller: nodeId === cluster.controllerId,
      local: nodeId === cluster.localId,
      listeners: listenerNames.flatMap((name) => {
        const node = cluster.broker(nodeId, name);
        return node === undefined ? [] : [{ name, securityProtocol: securityProtocols.get(name) ?? name, host: node.host, port: node.port }];
      }),
    }));
    const logDirs = await ctx.session(req).kafka(35, { topics: null });
    throwIfKafkaError(logDirs.errorCode ?? 0);
    const topics = broker.topics.list();
    const overview: ClusterOverview = {
      clusterId: cluster.clusterId,
      controllerId: cluster.controllerId,
      nodeId: cluster.localId,
      version,
      startedAt: broker.startedAt,
      uptimeMs: Date.now() - broker.startedAt,
      storage: config.storage,
      consoleWritesEnabled: ctx.writesEnabled,
      brokers,
      topicCount: topics.filter((t) => !t.internal).length,
      partitionCount: topics.reduce((n, t) => n + t.partitions.length, 0),
      underReplicatedPartitions: broker.replicas.underReplicatedCount(),
      logDirs: logDirs.results.map((d) => ({
        logDir: d.logDir,
        errorCode: d.errorCode,
        totalBytes: d.totalBytes ?? -1,
        usableBytes: d.usableBytes ?? -1,
        partitionBytes: d.topics.reduce((n, t) => n + t.partitions.reduce((m, p) => m + p.partitionSize, 0), 0),
      })),
    };
    return jsonResponse(200, overview);
  });

  // Who is connected, from where and as whom: for users who may DESCRIBE the cluster.
  router.add('GET', '/api/clients', (req) => {
    requireAllowed(ctx.session(req).authz.allows(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME), ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    const clients = [...broker.openConnections()].map(({ info }): ClientView => {
      // ApiVersions v3+ names the client software (KIP-511), kept as name/version.
      const [softwareName, softwareVersion] = splitSoftware(info.clientSoftware);
      return { connectionId: info.id, clientId: info.clientId, softwareName, softwareVersion, address: info.remoteAddress, listener: info.listenerName, principal: info.principal };
    });
    return jsonResponse(200, clients.sort((a, b) => a.connectionId - b.connectionId));
  });

  router.add('GET', '/api/transactions', async (req) => {
    const { kafka } = ctx.session(req);
    const listed = await kafka(66, { stateFilters: [], producerIdFilters: [], durationFilter: -1, transactionalIdPattern: null });
    throwIfKafkaError(listed.errorCode);
    const ids = listed.transactionStates.map((t) => t.transactionalId).sort();
    if (ids.length === 0) return jsonResponse(200, []);
    const described = await kafka(65, { transactionalIds: ids });
    return jsonResponse(
      200,
      described.transactionStates.map((t): TransactionView => ({
        transactionalId: t.transactionalId,
        errorCode: t.errorCode,
        state: t.transactionState,
        producerId: t.producerId,
        producerEpoch: t.producerEpoch,
        timeoutMs: t.transactionTimeoutMs,
        startTimeMs: t.transactionStartTimeMs,
        partitions: t.topics.flatMap((topic) => topic.partitions.map((partition) => ({ topic: topic.topic, partition }))),
      })),
    );
  });
}

function splitSoftware(software: string | undefined): [string | null, string | null] {
  if (software === undefined) return [null, null];
  const slash = software.indexOf('/');
  return slash < 0 ? [software, null] : [software.slice(0, slash), software.slice(slash + 1)];
}
