// KIP-890 verification at a transaction coordinator on another broker, without sockets: the
// verify_only request sent, and each answer turned into the error Kafka's
// AddPartitionsToTxnManager hands its callers (which Produce then answers as NOT_ENOUGH_REPLICAS
// where a producer should retry).
import { describe, expect, it } from 'vitest';
import type { ResponseOf } from '../../../protocol/codec/messages.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { KafkaError, errorCodeOf } from '../../../src/kafka-error.js';
import type { BrokerConnections } from '../../../src/replica/broker-connections.js';
import { TxnVerifier, produceVerificationError } from '../../../src/txn/txn-verifier.js';
import { FakeCluster } from '../../helpers/fake-cluster.js';

const LOCAL = 1;
/** FakeCluster's coordinator of every key. */
const COORDINATOR = 2;

type Answer = ResponseOf<24> | Error;

/** Answers each AddPartitionsToTxn with the next of `answers` (the last one repeats), recording what was sent. */
function connections(answers: Answer[]): { send: BrokerConnections['send']; sent: { nodeId: number; version: number; body: unknown }[] } {
  const sent: { nodeId: number; version: number; body: unknown }[] = [];
  const send = (async (nodeId: number, _apiKey: number, version: number, body: unknown) => {
    sent.push({ nodeId, version, body });
    const answer = answers[Math.min(sent.length, answers.length) - 1]!;
    if (answer instanceof Error) throw answer;
    return answer;
  }) as BrokerConnections['send'];
  return { send, sent };
}

const partitionAnswer = (partitionErrorCode: number): ResponseOf<24> => ({
  throttleTimeMs: 0,
  errorCode: ErrorCode.NONE,
  resultsByTransaction: [{ transactionalId: 'tx', topicResults: [{ name: 'orders', resultsByPartition: [{ partitionIndex: 0, partitionErrorCode }] }] }],
  resultsByTopicV3AndBelow: [],
});
const topLevelAnswer = (errorCode: number): ResponseOf<24> => ({ throttleTimeMs: 0, errorCode, resultsByTransaction: [], resultsByTopicV3AndBelow: [] });

/** A verifier on broker LOCAL whose own coordinator answers `ownerError` for every transactional id. */
function verifier(answers: Answer[], options: { ownerError?: number; live?: number[] } = {}) {
  const cluster = new FakeCluster(LOCAL);
  if (options.live) cluster.brokerIds = () => options.live!;
  const conns = connections(answers);
  const v = new TxnVerifier({
    localId: LOCAL,
    cluster,
    connections: conns,
    coordinator: () => ({
      ownerError: () => options.ownerError ?? ErrorCode.NOT_COORDINATOR,
      addPartitions: () => Promise.reject(new Error('not used')),
      checkInTransaction: () => undefined,
    }),
  });
  return { verify: () => v.verify('tx', 7, 3, 'orders', 0), sent: conns.sent };
}

const failure = (p: Promise<void>): Promise<number> => p.then(() => ErrorCode.NONE, (err: unknown) => errorCodeOf(err));

describe('TxnVerifier.verify with the coordinator on another broker', () => {
  it('sends AddPartitionsToTxn v4 verify_only for the one partition to the coordinator, and resolves when it is in the transaction', async () => {
    const { verify, sent } = verifier([partitionAnswer(ErrorCode.NONE)]);
    await verify();
    expect(sent).toEqual([
      {
        nodeId: COORDINATOR,
        version: 4,
        body: expect.objectContaining({ transactions: [{ transactionalId: 'tx', producerId: 7, producerEpoch: 3, verifyOnly: true, topics: [{ name: 'orders', partitions: [0] }] }] }),
      },
    ]);
  });

  it.each([
    ['a partition outside the transaction', partitionAnswer(ErrorCode.TRANSACTION_ABORTABLE), ErrorCode.INVALID_TXN_STATE],
    ['an INVALID_TXN_STATE from an older peer', partitionAnswer(ErrorCode.INVALID_TXN_STATE), ErrorCode.INVALID_TXN_STATE],
    ['a fenced producer', partitionAnswer(ErrorCode.PRODUCER_FENCED), ErrorCode.INVALID_PRODUCER_EPOCH],
    ['an unknown producer', partitionAnswer(ErrorCode.INVALID_PRODUCER_ID_MAPPING), ErrorCode.INVALID_PRODUCER_ID_MAPPING],
    ['a coordinator that moved', partitionAnswer(ErrorCode.NOT_COORDINATOR), ErrorCode.NOT_COORDINATOR],
    ['a coordinator loading', partitionAnswer(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS), ErrorCode.COORDINATOR_LOAD_IN_PROGRESS],
    ['a refused inter-broker request', topLevelAnswer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED), ErrorCode.INVALID_TXN_STATE],
    ['a connection that breaks', new Error('socket closed'), ErrorCode.NETWORK_EXCEPTION],
  ])('answers %s as Kafka\'s manager does', async (_, answer, expected) => {
    expect(await failure(verifier([answer]).verify())).toBe(expected);
  });

  it('asks again while the coordinator is busy with the transaction', async () => {
    const { verify, sent } = verifier([partitionAnswer(ErrorCode.CONCURRENT_TRANSACTIONS), partitionAnswer(ErrorCode.NONE)]);
    await verify();
    expect(sent).toHaveLength(2);
  });

  it('answers COORDINATOR_NOT_AVAILABLE without asking when the coordinator is not a live broker, and its own coordinator\'s loading as it is', async () => {
    const gone = verifier([partitionAnswer(ErrorCode.NONE)], { live: [1, 3] });
    expect(await failure(gone.verify())).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(gone.sent).toEqual([]);
    const loading = verifier([partitionAnswer(ErrorCode.NONE)], { ownerError: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS });
    expect(await failure(loading.verify())).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(loading.sent).toEqual([]);
  });
});

describe('produceVerificationError', () => {
  it('turns what a producer should retry into NOT_ENOUGH_REPLICAS and keeps the rest', () => {
    const retried = [ErrorCode.CONCURRENT_TRANSACTIONS, ErrorCode.NETWORK_EXCEPTION, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR];
    for (const code of retried) expect(errorCodeOf(produceVerificationError(new KafkaError(code)))).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    for (const code of [ErrorCode.INVALID_TXN_STATE, ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.INVALID_PRODUCER_ID_MAPPING]) {
      expect(errorCodeOf(produceVerificationError(new KafkaError(code)))).toBe(code);
    }
  });
});
