import { describe, expect, it } from 'vitest';
import { decodeTxnKey, decodeTxnValue, encodeTxnKey, encodeTxnValue } from '../../../src/txn/txn-log-format.js';
import { TxnState } from '../../../src/txn/txn-metadata.js';
import { javaStringHash, partitionFor } from '../../../src/txn/partition-for.js';

describe('__transaction_state records', () => {
  it('round-trip key and value in Kafka v0 layout', () => {
    const key = encodeTxnKey('my-tx');
    expect(key.toString('hex')).toBe('0000' + '0005' + Buffer.from('my-tx').toString('hex'));
    expect(decodeTxnKey(key)).toBe('my-tx');
    const stored = {
      producerId: 2 ** 40 + 7,
      producerEpoch: 3,
      timeoutMs: 60000,
      state: TxnState.Ongoing,
      partitions: new Map([
        ['orders', new Set([0, 2])],
        ['__consumer_offsets', new Set([17])],
      ]),
      startTimestamp: 1_700_000_000_000,
      lastUpdateTimestamp: 1_700_000_000_123,
    };
    const value = encodeTxnValue(stored);
    // version, producer id, epoch, timeout, state, then the partition array count.
    expect(value.readInt16BE(0)).toBe(0);
    expect(value.readInt8(16)).toBe(TxnState.Ongoing);
    expect(value.readInt32BE(17)).toBe(2);
    expect(decodeTxnValue(value)).toEqual(stored);
    expect(decodeTxnValue(encodeTxnValue({ ...stored, state: TxnState.Empty, partitions: new Map() })).partitions.size).toBe(0);
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
