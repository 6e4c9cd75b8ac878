// ACLs and client quotas of a cluster on a real etcd live in the cluster's metadata store: a grant
// made through one broker is enforced by another, grants made through different brokers at the
// same moment are all kept, a revocation on one broker applies on the other, and both survive
// the restart of every broker, with nothing of them in the brokers' data dirs.
// Brokers replicate over their first listener without authenticating, so it is a PLAINTEXT one
// whose principal (User:ANONYMOUS) is a super user, as Kafka's inter-broker principal would be;
// clients use the SASL listener.
import { readdirSync } from 'node:fs';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, ResourcePatternTypes, logLevel, type AclEntry } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { ErrorCode } from '../../protocol/errors.js';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { AclOperation as Op, PatternType as Pat, PermissionType as Perm, ResourceType as Res } from '../../src/security/authorizer/acl.js';
import { freePorts, requireEtcd, startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { tempDir } from '../helpers/broker.js';
import { eventually } from '../helpers/eventually.js';
import { RawClient } from '../helpers/raw-client.js';

const noEtcd = requireEtcd();
const NODES = [1, 2] as const;
const PROPERTIES = {
  'creek.etcd.prefix': '/creek/acls/',
  'sasl.enabled.mechanisms': 'PLAIN',
  'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="pw" user_alice="pw";',
  'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  'super.users': 'User:admin;User:ANONYMOUS',
};
const ANY_FILTER = { resourceTypeFilter: Res.ANY, resourceNameFilter: null, patternTypeFilter: Pat.ANY, principalFilter: null, hostFilter: null, operation: Op.ANY, permissionType: Perm.ANY };

const writeGrant = (resourceName: string, patternType = Pat.LITERAL) => ({
  resourceType: Res.TOPIC, resourceName, resourcePatternType: patternType, principal: 'User:alice', host: '*', operation: Op.WRITE, permissionType: Perm.ALLOW,
});
const kafkajsGrant: AclEntry = {
  resourceType: AclResourceTypes.TOPIC, resourceName: 'shared', resourcePatternType: ResourcePatternTypes.LITERAL,
  principal: 'User:alice', host: '*', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.ALLOW,
};

describe.skipIf(noEtcd)('ACLs and client quotas in an etcd cluster', () => {
  let etcd: TestEtcd;
  const brokers = new Map<number, RunningBroker>();
  const clients: RawClient[] = [];

  // A cluster registers its brokers' addresses: each keeps its ports across restarts.
  const ports = new Map<number, [number, number]>();
  const dataDirs = new Map<number, { path: string; remove(): void }>();
  const start = async (nodeId: number): Promise<void> => {
    if (!ports.has(nodeId)) ports.set(nodeId, (await freePorts(2)) as [number, number]);
    if (!dataDirs.has(nodeId)) dataDirs.set(nodeId, tempDir('creek-etcd-acls-'));
    const [plain, sasl] = ports.get(nodeId)!;
    const listeners = `PLAINTEXT://127.0.0.1:${plain},SASL_PLAINTEXT://127.0.0.1:${sasl}`;
    brokers.set(nodeId, await startBroker({ etcd: etcd.url, nodeId, logLevel: 'silent', dataDir: dataDirs.get(nodeId)!.path, properties: { ...PROPERTIES, listeners } }));
  };
  const restartAll = async (): Promise<void> => {
    for (const c of clients.splice(0)) c.close();
    for (const b of brokers.values()) await b.stop();
    brokers.clear();
    for (const id of NODES) await start(id);
    await eventually(() => [0, 1].every((p) => (brokers.get(1)!.broker.cluster.partitionState('shared', p)?.leaderId ?? -1) >= 0), 'leaders after the restart');
  };
  const saslBootstrap = (nodeId: number): string => brokers.get(nodeId)!.listeners.find((l) => l.name === 'SASL_PLAINTEXT')!.bootstrap;
  const connect = async (nodeId: number, user: 'admin' | 'alice'): Promise<RawClient> => {
    const [host, port] = saslBootstrap(nodeId).split(':');
    const client = await RawClient.connectPlain(host!, Number(port), user, 'pw');
    clients.push(client);
    return client;
  };
  /** The error code the broker gives alice for topic `shared` in Metadata. */
  const aliceMetadataError = async (alice: RawClient): Promise<number> =>
    (await alice.send(3, 12, { topics: [{ name: 'shared', topicId: ZERO_UUID }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: true })).topics[0]!.errorCode;
  const describedAcls = async (admin: RawClient): Promise<string[]> => {
    const res = await admin.send(29, 3, ANY_FILTER);
    expect(res.errorCode).toBe(ErrorCode.NONE);
    return res.resources.flatMap((r) => r.acls.map((a) => `${r.patternType}:${r.resourceName}:${a.principal}:${a.operation}`)).sort();
  };
  const producedAsAlice = async (nodeId: number): Promise<void> => {
    const kafka = new Kafka({ clientId: 'alice', brokers: [saslBootstrap(nodeId)], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 }, sasl: { mechanism: 'plain', username: 'alice', password: 'pw' } });
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic: 'shared', acks: -1, messages: [{ value: `via broker ${nodeId}` }] });
    } finally {
      await producer.disconnect();
    }
  };

  beforeAll(async () => {
    etcd = await startEtcd();
    for (const id of NODES) await start(id);
    await eventually(() => [...brokers.values()].every((b) => b.broker.cluster.brokerIds().length === NODES.length), 'both brokers in each view');
    const admin = await connect(1, 'admin');
    const created = await admin.send(19, 7, { topics: [{ name: 'shared', numPartitions: 2, replicationFactor: 2, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false });
    expect(created.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    await eventually(() => [0, 1].every((p) => brokers.get(1)!.broker.cluster.partitionState('shared', p)?.isr.length === 2), 'both partitions replicated');
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const b of brokers.values()) await b.stop();
    await etcd?.remove();
    for (const d of dataDirs.values()) d.remove();
  });
  const keptInDataDirs = (): string[] => [...dataDirs.values()].flatMap((d) => readdirSync(d.path).filter((f) => /acl|quota/.test(f)));

  it('enforces on one broker a grant made on another, keeps concurrent grants from both, and keeps them across restarts', async () => {
    const [admin1, admin2] = [await connect(1, 'admin'), await connect(2, 'admin')];
    const alice2 = await connect(2, 'alice');
    expect(await aliceMetadataError(alice2)).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);

    const kafka1 = new Kafka({ clientId: 'admin', brokers: [saslBootstrap(1)], logLevel: logLevel.NOTHING, sasl: { mechanism: 'plain', username: 'admin', password: 'pw' } });
    const kafkaAdmin = kafka1.admin();
    await kafkaAdmin.connect();
    try {
      await kafkaAdmin.createAcls({ acl: [kafkajsGrant] });
    } finally {
      await kafkaAdmin.disconnect();
    }
    await eventually(async () => (await aliceMetadataError(alice2)) === ErrorCode.NONE, 'broker 2 to apply the grant made on broker 1');
    await producedAsAlice(2);

    // Twenty grants at once, half through each broker: none may be lost to the other's write.
    const names = Array.from({ length: 20 }, (_, i) => `race-${i}`);
    const results = await Promise.all(names.map((name, i) => (i % 2 === 0 ? admin1 : admin2).send(30, 3, { creations: [writeGrant(name)] })));
    expect(results.flatMap((r) => r.results.map((x) => x.errorCode))).toEqual(names.map(() => ErrorCode.NONE));
    const expected = ['shared', ...names].map((n) => `${Pat.LITERAL}:${n}:User:alice:${Op.WRITE}`).sort();
    for (const admin of [admin1, admin2]) await eventually(async () => JSON.stringify(await describedAcls(admin)) === JSON.stringify(expected), 'every grant on both brokers');

    // Revoked through broker 2, refused on broker 1.
    const alice1 = await connect(1, 'alice');
    const revoked = await admin2.send(31, 3, { filters: [{ ...ANY_FILTER, resourceTypeFilter: Res.TOPIC, resourceNameFilter: 'race-', patternTypeFilter: Pat.MATCH }] });
    expect(revoked.filterResults[0]!.errorCode).toBe(ErrorCode.NONE);
    const kept = await admin2.send(31, 3, { filters: [{ ...ANY_FILTER, resourceTypeFilter: Res.TOPIC, resourceNameFilter: 'race-0', patternTypeFilter: Pat.LITERAL }] });
    expect(kept.filterResults[0]!.matchingAcls.map((a) => a.resourceName)).toEqual(['race-0']);
    const remaining = expected.filter((e) => !e.includes(':race-0:'));
    await eventually(async () => JSON.stringify(await describedAcls(admin1)) === JSON.stringify(remaining), 'broker 1 to drop the revoked grant');

    await restartAll();
    expect(keptInDataDirs()).toEqual([]);
    const alice = await connect(2, 'alice');
    expect(await aliceMetadataError(alice)).toBe(ErrorCode.NONE);
    expect(await describedAcls(await connect(1, 'admin'))).toEqual(remaining);
    await producedAsAlice(1);
    const adminAgain = await connect(1, 'admin');
    await adminAgain.send(31, 3, { filters: [ANY_FILTER] });
    await eventually(async () => (await aliceMetadataError(alice)) === ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'broker 2 to apply the revocation made on broker 1');
  }, 120_000);

  it('keeps client quotas altered through either broker at the same moment, and across restarts', async () => {
    const admins = [await connect(1, 'admin'), await connect(2, 'admin')];
    const users = Array.from({ length: 10 }, (_, i) => `user-${i}`);
    const results = await Promise.all(
      users.map((user, i) =>
        admins[i % 2]!.send(49, 1, { entries: [{ entity: [{ entityType: 'user', entityName: user }], ops: [{ key: 'producer_byte_rate', value: 1000 + i, remove: false }] }], validateOnly: false }),
      ),
    );
    expect(results.flatMap((r) => r.entries.map((e) => e.errorCode))).toEqual(users.map(() => ErrorCode.NONE));
    const described = async (admin: RawClient): Promise<string[]> => {
      const res = await admin.send(48, 1, { components: [{ entityType: 'user', matchType: 2, match: null }], strict: false });
      expect(res.errorCode).toBe(ErrorCode.NONE);
      return (res.entries ?? []).map((e) => `${e.entity[0]!.entityName}=${e.values[0]!.value}`).sort();
    };
    const expected = users.map((u, i) => `${u}=${1000 + i}`).sort();
    for (const admin of admins) await eventually(async () => JSON.stringify(await described(admin)) === JSON.stringify(expected), 'every quota on both brokers');
    await restartAll();
    expect(keptInDataDirs()).toEqual([]);
    expect(await described(await connect(2, 'admin'))).toEqual(expected);
  }, 120_000);
});
