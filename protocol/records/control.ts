// Control records, written by the transaction coordinator to end a transaction in each partition.
// Key: version int16, type int16 (0 ABORT, 1 COMMIT). Value of an end-transaction marker:
// version int16, coordinatorEpoch int32. Both sit in a transactional control batch of one record.
import { CorruptRecordError } from './errors.js';
import { encodeBatch } from './records.js';

/** Control record types as Kafka numbers them (2 and up are KRaft metadata-log records). */
export const ControlRecordType = {
  ABORT: 0,
  COMMIT: 1,
  LEADER_CHANGE: 2,
  SNAPSHOT_HEADER: 3,
  SNAPSHOT_FOOTER: 4,
  KRAFT_VERSION: 5,
  KRAFT_VOTERS: 6,
} as const;

const CONTROL_KEY_VERSION = 0;
const END_TXN_MARKER_VERSION = 0;
const CONTROL_KEY_SIZE = 4;
const END_TXN_MARKER_SIZE = 6;

export interface ControlKey {
  version: number;
  type: number;
}

export interface EndTxnMarker {
  version: number;
  coordinatorEpoch: number;
}

export function encodeControlKey(type: number, version = CONTROL_KEY_VERSION): Buffer {
  const buf = Buffer.allocUnsafe(CONTROL_KEY_SIZE);
  buf.writeInt16BE(version, 0);
  buf.writeInt16BE(type, 2);
  return buf;
}

export function decodeControlKey(key: Buffer | null): ControlKey {
  if (key === null || key.length < CONTROL_KEY_SIZE) {
    throw new CorruptRecordError(`control record key must have ${CONTROL_KEY_SIZE} bytes, got ${key?.length ?? 'null'}`);
  }
  return { version: key.readInt16BE(0), type: key.readInt16BE(2) };
}

export function encodeEndTxnMarker(coordinatorEpoch: number, version = END_TXN_MARKER_VERSION): Buffer {
  const buf = Buffer.allocUnsafe(END_TXN_MARKER_SIZE);
  buf.writeInt16BE(version, 0);
  buf.writeInt32BE(coordinatorEpoch, 2);
  return buf;
}

/** Reads a marker value; later versions may append fields, which are ignored. */
export function decodeEndTxnMarker(value: Buffer | null): EndTxnMarker {
  if (value === null || value.length < END_TXN_MARKER_SIZE) {
    throw new CorruptRecordError(`end-transaction marker must have ${END_TXN_MARKER_SIZE} bytes, got ${value?.length ?? 'null'}`);
  }
  return { version: value.readInt16BE(0), coordinatorEpoch: value.readInt32BE(2) };
}

export interface ControlBatchOptions {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
  timestamp: number;
  baseOffset: number;
  partitionLeaderEpoch?: number;
}

/** A complete transactional control batch holding one COMMIT or ABORT marker. */
export function encodeControlBatch(options: ControlBatchOptions): Buffer {
  const type = options.commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT;
  return encodeBatch({
    baseOffset: options.baseOffset,
    partitionLeaderEpoch: options.partitionLeaderEpoch,
    baseTimestamp: options.timestamp,
    transactional: true,
    control: true,
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    baseSequence: -1,
    records: [{ key: encodeControlKey(type), value: encodeEndTxnMarker(options.coordinatorEpoch) }],
  });
}
