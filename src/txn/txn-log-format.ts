// Records of __transaction_state in Kafka's format: key TransactionLogKey v0 (int16 version,
// string transactional id), value TransactionLogValue v0 (producer id, epoch, timeout, state,
// partitions by topic, last update and start timestamps). A null value is a tombstone.
import { readInt64, writeInt64 } from '../../protocol/records/batch-header.js';
import type { TxnMetadata, TxnStateId } from './txn-metadata.js';

const KEY_VERSION = 0;
const VALUE_VERSION = 0;

/** What a value record holds: the durable part of TxnMetadata. */
export type StoredTxn = Pick<TxnMetadata, 'producerId' | 'producerEpoch' | 'timeoutMs' | 'state' | 'partitions' | 'startTimestamp' | 'lastUpdateTimestamp'>;

export function encodeTxnKey(transactionalId: string): Buffer {
  const id = Buffer.from(transactionalId, 'utf8');
  const buf = Buffer.allocUnsafe(4 + id.length);
  buf.writeInt16BE(KEY_VERSION, 0);
  buf.writeInt16BE(id.length, 2);
  id.copy(buf, 4);
  return buf;
}

export function decodeTxnKey(buf: Buffer): string {
  const version = buf.readInt16BE(0);
  if (version !== KEY_VERSION) throw new Error(`unknown __transaction_state key version ${version}`);
  const len = buf.readInt16BE(2);
  return buf.toString('utf8', 4, 4 + len);
}

export function encodeTxnValue(t: StoredTxn): Buffer {
  const topics = [...t.partitions].map(([topic, parts]) => ({ name: Buffer.from(topic, 'utf8'), parts: [...parts] }));
  let size = 2 + 8 + 2 + 4 + 1 + 4 + 8 + 8;
  for (const tp of topics) size += 2 + tp.name.length + 4 + 4 * tp.parts.length;
  const buf = Buffer.allocUnsafe(size);
  let at = buf.writeInt16BE(VALUE_VERSION, 0);
  writeInt64(buf, t.producerId, at);
  at = buf.writeInt16BE(t.producerEpoch, at + 8);
  at = buf.writeInt32BE(t.timeoutMs, at);
  at = buf.writeInt8(t.state, at);
  at = buf.writeInt32BE(topics.length, at);
  for (const tp of topics) {
    at = buf.writeInt16BE(tp.name.length, at);
    at += tp.name.copy(buf, at);
    at = buf.writeInt32BE(tp.parts.length, at);
    for (const p of tp.parts) at = buf.writeInt32BE(p, at);
  }
  writeInt64(buf, t.lastUpdateTimestamp, at);
  writeInt64(buf, t.startTimestamp, at + 8);
  return buf;
}

export function decodeTxnValue(buf: Buffer): StoredTxn {
  const version = buf.readInt16BE(0);
  if (version !== VALUE_VERSION) throw new Error(`unknown __transaction_state value version ${version}`);
  let at = 2;
  const producerId = readInt64(buf, at);
  const producerEpoch = buf.readInt16BE(at + 8);
  const timeoutMs = buf.readInt32BE(at + 10);
  const state = buf.readInt8(at + 14) as TxnStateId;
  const count = buf.readInt32BE(at + 15);
  at += 19;
  const partitions = new Map<string, Set<number>>();
  for (let i = 0; i < count; i++) {
    const len = buf.readInt16BE(at);
    const topic = buf.toString('utf8', at + 2, at + 2 + len);
    at += 2 + len;
    const n = buf.readInt32BE(at);
    at += 4;
    const parts = new Set<number>();
    for (let j = 0; j < n; j++, at += 4) parts.add(buf.readInt32BE(at));
    partitions.set(topic, parts);
  }
  return { producerId, producerEpoch, timeoutMs, state, partitions, lastUpdateTimestamp: readInt64(buf, at), startTimestamp: readInt64(buf, at + 8) };
}
