import { describe, expect, it } from 'vitest';
import { decodeTxnKey, decodeTxnValue, encodeTxnKey, encodeTxnValue } from '../../../src/txn/txn-log-format.js';
import { TxnState } from '../../../src/txn/txn-metadata.js';
import { javaStringHash, partitionFor } from '../../../src/txn/partition-for.js';

describe('__transaction_state records', () => {
  const stored = {
    producerId: 2 ** 40 + 7,
    previousProducerId: -1,
    producerEpoch: 3,
    timeoutMs: 60000,
    state: TxnState.Ongoing,
    partitions: new Map([
      ['orders', new Set([0, 2])],
      ['__consumer_offsets', new Set([17])],
    ]),
    startTimestamp: 1_700_000_000_000,
    lastUpdateTimestamp: 1_700_000_000_123,
    clientTransactionVersion: 0,
  };

  it('round-trip key and value, the value in the flexible v1 layout with its tagged fields', () => {
    const key = encodeTxnKey('my-tx');
    expect(key.toString('hex')).toBe('0000' + '0005' + Buffer.from('my-tx').toString('hex'));
    expect(decodeTxnKey(key)).toBe('my-tx');
    const value = encodeTxnValue(stored);
    // version, producer id, epoch, timeout, state, then the partition array as a compact count (N + 1).
    expect(value.readInt16BE(0)).toBe(1);
    expect(value.readInt8(16)).toBe(TxnState.Ongoing);
    expect(value[17]).toBe(3);
    // No tagged field differs from its default: an empty tag buffer ends the record.
    expect(value[value.length - 1]).toBe(0);
    expect(decodeTxnValue(value)).toEqual(stored);
    const rotated = { ...stored, previousProducerId: 42, clientTransactionVersion: 2 };
    const tagged = encodeTxnValue(rotated);
    // Two tagged fields: tag 0 (8 bytes, the previous producer id), then tag 2 (2 bytes, the client's transaction version).
    expect(tagged.subarray(tagged.length - 15).toString('hex')).toBe('02' + '0008' + '000000000000002a' + '0202' + '0002');
    expect(decodeTxnValue(tagged)).toEqual(rotated);
    expect(decodeTxnValue(encodeTxnValue({ ...stored, state: TxnState.Empty, partitions: new Map() })).partitions.size).toBe(0);
  });

  it('reads v0 values (written before the flexible version) and skips tags it does not know', () => {
    const v0 = Buffer.alloc(2 + 8 + 2 + 4 + 1 + 4 + 2 + 6 + 4 + 4 + 8 + 8);
    let at = v0.writeInt16BE(0, 0);
    at = v0.writeBigInt64BE(7n, at);
    at = v0.writeInt16BE(5, at);
    at = v0.writeInt32BE(60000, at);
    at = v0.writeInt8(TxnState.CompleteCommit, at);
    at = v0.writeInt32BE(1, at);
    at = v0.writeInt16BE(6, at);
    at += v0.write('orders', at);
    at = v0.writeInt32BE(1, at);
    at = v0.writeInt32BE(3, at);
    at = v0.writeBigInt64BE(2n, at);
    v0.writeBigInt64BE(1n, at);
    expect(decodeTxnValue(v0)).toEqual({ ...stored, producerId: 7, producerEpoch: 5, state: TxnState.CompleteCommit, partitions: new Map([['orders', new Set([3])]]), lastUpdateTimestamp: 2, startTimestamp: 1 });
    // Tag 1 (NextProducerId), which Creek does not use, is skipped.
    const withUnknown = Buffer.concat([encodeTxnValue(stored).subarray(0, -1), Buffer.from('01' + '0108' + '0000000000000009', 'hex')]);
    expect(decodeTxnValue(withUnknown)).toEqual(stored);
  });
});

describe('partitionFor', () => {
  it("uses Java's String.hashCode and Utils.abs like Kafka", () => {
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('hello')).toBe(99162322);
    expect(javaStringHash('polygenelubricants')).toBe(-0x80000000);
    expect(partitionFor('polygenelubricants', 50)).toBe(0);
    expect(partitionFor('hello', 50)).toBe(99162322 % 50);
    expect(javaStringHash('my-transactional-id')).toBe(-959806496);
    expect(partitionFor('my-transactional-id', 50)).toBe(46);
  });
});
