// AddRaftVoter and RemoveRaftVoter over a real socket: Creek's quorum is static (kraft.version 0),
// so a valid voter change is refused with UNSUPPORTED_VERSION and Kafka's message; a wrong cluster
// id, a request without a voter, and a principal without ALTER on the cluster get Kafka's earlier
// errors (each answer was checked against the reference broker, compat/lib/reference-broker.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { RunningBroker } from '../../src/broker.js';
import { withBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';

const DIRECTORY_ID = 'XZscLgAAQACAAAAAAAAAAQ';
const addVoter = (extra: Partial<{ clusterId: string | null; voterId: number; voterDirectoryId: string; listeners: { name: string; host: string; port: number }[] }> = {}) => ({
  clusterId: null,
  timeoutMs: 30_000,
  voterId: 2,
  voterDirectoryId: DIRECTORY_ID,
  listeners: [{ name: 'CONTROLLER', host: '127.0.0.1', port: 9093 }],
  ackWhenCommitted: true,
  ...extra,
});

describe('voter changes on a static quorum', () => {
  let broker: RunningBroker;
  let raw: RawClient;
  beforeAll(async () => {
    broker = await withBroker();
    raw = await RawClient.connect(broker.host, broker.port);
  });
  afterAll(async () => {
    raw.close();
    await broker.stop();
  });

  it('AddRaftVoter v0 and v1 are refused with UNSUPPORTED_VERSION', async () => {
    for (const version of [0, 1]) {
      const res = await raw.send(80, version, addVoter());
      expect([res.errorCode, res.errorMessage]).toEqual([ErrorCode.UNSUPPORTED_VERSION, "Cluster doesn't support adding voter because the kraft.version feature is 0"]);
    }
  });

  it('RemoveRaftVoter is refused with UNSUPPORTED_VERSION', async () => {
    const res = await raw.send(81, 0, { clusterId: null, voterId: 1, voterDirectoryId: DIRECTORY_ID });
    expect([res.errorCode, res.errorMessage]).toEqual([ErrorCode.UNSUPPORTED_VERSION, "Cluster doesn't support removing voter because the kraft.version feature is 0"]);
  });

  it('checks the cluster id first, then the voter and its endpoint on the quorum listener', async () => {
    const clusterId = broker.broker.cluster.clusterId;
    const wrongCluster = await raw.send(80, 1, addVoter({ clusterId: 'not-this-cluster' }));
    expect([wrongCluster.errorCode, wrongCluster.errorMessage]).toEqual([ErrorCode.INCONSISTENT_CLUSTER_ID, `The given id "not-this-cluster" doesn't match the cluster id "${clusterId}"`]);
    const ownCluster = await raw.send(80, 1, addVoter({ clusterId }));
    expect(ownCluster.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    const noDirectory = await raw.send(80, 1, addVoter({ voterDirectoryId: ZERO_UUID }));
    expect([noDirectory.errorCode, noDirectory.errorMessage]).toEqual([ErrorCode.INVALID_REQUEST, "Add voter request didn't include a valid voter"]);
    const noVoter = await raw.send(81, 0, { clusterId: null, voterId: -1, voterDirectoryId: DIRECTORY_ID });
    expect([noVoter.errorCode, noVoter.errorMessage]).toEqual([ErrorCode.INVALID_REQUEST, "Remove voter request didn't include a valid voter"]);
    const otherListener = await raw.send(80, 1, addVoter({ listeners: [{ name: 'OTHER', host: '127.0.0.1', port: 9093 }] }));
    expect([otherListener.errorCode, otherListener.errorMessage]).toEqual([
      ErrorCode.INVALID_REQUEST,
      "Add voter request didn't include the endpoint (Endpoints(endpoints={ListenerName(OTHER)=127.0.0.1/<unresolved>:9093})) for the default listener ListenerName(CONTROLLER)",
    ]);
  });
});

describe('voter changes with an authorizer', () => {
  const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="a" user_alice="a";';
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await withBroker({
      properties: {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'super.users': 'User:admin',
      },
    });
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('need ALTER on the cluster', async () => {
    const alice = await RawClient.connectPlain(broker.host, broker.port, 'alice', 'a');
    const admin = await RawClient.connectPlain(broker.host, broker.port, 'admin', 'a');
    try {
      expect((await alice.send(80, 1, addVoter())).errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
      expect((await alice.send(81, 0, { clusterId: null, voterId: 1, voterDirectoryId: DIRECTORY_ID })).errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
      expect((await admin.send(80, 1, addVoter())).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    } finally {
      alice.close();
      admin.close();
    }
  });
});
