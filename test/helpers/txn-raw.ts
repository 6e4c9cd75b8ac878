// A transactional producer driven with raw requests: InitProducerId (retried while the previous
// transaction completes), AddPartitionsToTxn, transactional Produce with the producer's own
// sequence numbers per partition, and EndTxn, each answering Kafka's error code.
import { expect } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { encodeBatch } from '../../protocol/records/index.js';
import type { RawClient } from './raw-client.js';
import { produceRequest } from './raw-requests.js';

export interface TxnProducer {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  /** Next sequence number by `topic` or `topic-partition`. */
  seq: Map<string, number>;
}

export async function initTxn(client: RawClient, transactionalId: string, timeoutMs = 60000): Promise<TxnProducer> {
  for (;;) {
    const res = await client.send(22, 4, { transactionalId, transactionTimeoutMs: timeoutMs, producerId: -1, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false });
    if (res.errorCode === ErrorCode.CONCURRENT_TRANSACTIONS) continue;
    expect(res.errorCode).toBe(ErrorCode.NONE);
    return { transactionalId, producerId: Number(res.producerId), producerEpoch: res.producerEpoch, seq: new Map() };
  }
}

export async function addPartitions(client: RawClient, p: TxnProducer, topic: string, partitions: number[], version = 3): Promise<number[]> {
  const res = await client.send(24, version, {
    transactions: [],
    v3AndBelowTransactionalId: p.transactionalId,
    v3AndBelowProducerId: p.producerId,
    v3AndBelowProducerEpoch: p.producerEpoch,
    v3AndBelowTopics: [{ name: topic, partitions }],
  });
  return res.resultsByTopicV3AndBelow.flatMap((t) => t.resultsByPartition.map((r) => r.partitionErrorCode));
}

/** Produces `values` as one transactional batch to a partition (0 by default) of `topic`. */
export async function produceTxn(client: RawClient, p: TxnProducer, topic: string, values: string[], epoch = p.producerEpoch, partition = 0): Promise<{ errorCode: number; baseOffset: number }> {
  const key = partition === 0 ? topic : `${topic}-${partition}`;
  const seq = p.seq.get(key) ?? 0;
  const records = encodeBatch({
    transactional: true,
    producerId: p.producerId,
    producerEpoch: epoch,
    baseSequence: seq,
    records: values.map((v) => ({ value: Buffer.from(v) })),
  });
  const res = await client.send(0, 9, produceRequest({ topic, partition, records }, { transactionalId: p.transactionalId }));
  const out = res.responses[0]!.partitionResponses[0]!;
  if (out.errorCode === ErrorCode.NONE) p.seq.set(key, seq + values.length);
  return { errorCode: out.errorCode, baseOffset: Number(out.baseOffset) };
}

export async function endTxn(client: RawClient, p: TxnProducer, committed: boolean, version = 3, epoch = p.producerEpoch): Promise<number> {
  const res = await client.send(26, version, { transactionalId: p.transactionalId, producerId: p.producerId, producerEpoch: epoch, committed });
  return res.errorCode;
}
