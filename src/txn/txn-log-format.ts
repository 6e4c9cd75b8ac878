// Records of __transaction_state in Kafka's format: key TransactionLogKey v0 (int16 version,
// string transactional id); value TransactionLogValue (producer id, epoch, timeout, state,
// partitions by topic, last update and start timestamps). Values are written at v1, the flexible
// version Kafka writes once transaction.version 1 or later is finalized, whose tagged fields carry
// what a coordinator taking over needs to recognise retries: the previous producer id (tag 0) and
// the transaction version of the client that last ended a transaction (tag 2). v0 values (written
// before) are read too. A null value is a tombstone.
import { Reader } from '../../protocol/codec/reader.js';
import { Writer } from '../../protocol/codec/writer.js';
import type { TxnMetadata } from './txn-metadata.js';

const KEY_VERSION = 0;
const VALUE_VERSION = 1;

const TAG_PREVIOUS_PRODUCER_ID = 0;
const TAG_CLIENT_TRANSACTION_VERSION = 2;

/** What a value record holds: the durable part of TxnMetadata. */
export type StoredTxn = Pick<
  TxnMetadata,
  'producerId' | 'previousProducerId' | 'producerEpoch' | 'timeoutMs' | 'state' | 'partitions' | 'startTimestamp' | 'lastUpdateTimestamp' | 'clientTransactionVersion'
>;

export function encodeTxnKey(transactionalId: string): Buffer {
  const w = new Writer(4 + transactionalId.length * 3);
  w.int16(KEY_VERSION);
  w.string(transactionalId);
  return w.toBuffer();
}

export function decodeTxnKey(buf: Buffer): string {
  const r = new Reader(buf);
  const version = r.int16();
  if (version !== KEY_VERSION) throw new Error(`unknown __transaction_state key version ${version}`);
  return r.string();
}

export function encodeTxnValue(t: StoredTxn): Buffer {
  const w = new Writer(64);
  w.int16(VALUE_VERSION);
  w.int64(t.producerId);
  w.int16(t.producerEpoch);
  w.int32(t.timeoutMs);
  w.int8(t.state);
  w.uvarint(t.partitions.size + 1);
  for (const [topic, partitions] of t.partitions) {
    w.compactString(topic);
    w.uvarint(partitions.size + 1);
    for (const p of partitions) w.int32(p);
    w.uvarint(0);
  }
  w.int64(t.lastUpdateTimestamp);
  w.int64(t.startTimestamp);
  // Tagged fields, in tag order, each only when it differs from its default (as Kafka writes them).
  const withPrevious = t.previousProducerId !== -1;
  const withVersion = t.clientTransactionVersion !== 0;
  w.uvarint(Number(withPrevious) + Number(withVersion));
  if (withPrevious) {
    w.uvarint(TAG_PREVIOUS_PRODUCER_ID);
    w.uvarint(8);
    w.int64(t.previousProducerId);
  }
  if (withVersion) {
    w.uvarint(TAG_CLIENT_TRANSACTION_VERSION);
    w.uvarint(2);
    w.int16(t.clientTransactionVersion);
  }
  return w.toBuffer();
}

export function decodeTxnValue(buf: Buffer): StoredTxn {
  const r = new Reader(buf);
  const version = r.int16();
  if (version !== 0 && version !== 1) throw new Error(`unknown __transaction_state value version ${version}`);
  const flexible = version >= 1;
  const producerId = r.int64();
  const producerEpoch = r.int16();
  const timeoutMs = r.int32();
  const state = r.int8() as TxnMetadata['state'];
  const partitions = new Map<string, Set<number>>();
  // Kafka writes a null array for an Empty transaction.
  const topics = flexible ? r.compactArrayLength() : r.arrayLength();
  for (let i = 0; i < topics; i++) {
    const topic = flexible ? r.compactString() : r.string();
    const count = flexible ? r.compactArrayLength() : r.arrayLength();
    const parts = new Set<number>();
    for (let j = 0; j < count; j++) parts.add(r.int32());
    if (flexible) skipTaggedFields(r);
    partitions.set(topic, parts);
  }
  const lastUpdateTimestamp = r.int64();
  const startTimestamp = r.int64();
  let previousProducerId = -1;
  let clientTransactionVersion = 0;
  if (flexible) {
    const tagged = r.uvarint();
    for (let i = 0; i < tagged; i++) {
      const tag = r.uvarint();
      const size = r.uvarint();
      if (tag === TAG_PREVIOUS_PRODUCER_ID) previousProducerId = r.int64();
      else if (tag === TAG_CLIENT_TRANSACTION_VERSION) clientTransactionVersion = r.int16();
      else r.skip(size);
    }
  }
  return { producerId, previousProducerId, producerEpoch, timeoutMs, state, partitions, lastUpdateTimestamp, startTimestamp, clientTransactionVersion };
}

function skipTaggedFields(r: Reader): void {
  const tagged = r.uvarint();
  for (let i = 0; i < tagged; i++) {
    r.uvarint();
    r.skip(r.uvarint());
  }
}
