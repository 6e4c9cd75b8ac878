// Control records: key and end-transaction marker schemas, and the one-record control batch the
// transaction coordinator writes, checked with our decoder and kafkajs's.
import { describe, expect, it } from 'vitest';
import {
  ControlRecordType,
  CorruptRecordError,
  decodeBatch,
  decodeControlKey,
  decodeEndTxnMarker,
  encodeControlBatch,
  encodeControlKey,
  encodeEndTxnMarker,
  isControl,
  isTransactional,
} from '../../../protocol/records/index.js';
import { kafkajsDecodeBatch } from './kafkajs-codecs.js';

const marker = { producerId: 9001, producerEpoch: 4, coordinatorEpoch: 17, timestamp: 1_700_000_000_123, baseOffset: 55 };

describe('control record schemas', () => {
  it('encode key and marker as Kafka lays them out', () => {
    expect(encodeControlKey(ControlRecordType.COMMIT).toString('hex')).toBe('00000001');
    expect(encodeControlKey(ControlRecordType.ABORT).toString('hex')).toBe('00000000');
    expect(encodeEndTxnMarker(17).toString('hex')).toBe('000000000011');
  });

  it('decode what they encode, ignoring fields a later marker version appends', () => {
    expect(decodeControlKey(encodeControlKey(ControlRecordType.COMMIT))).toEqual({ version: 0, type: 1 });
    const longer = Buffer.concat([encodeEndTxnMarker(-1, 1), Buffer.from([1, 2, 3])]);
    expect(decodeEndTxnMarker(longer)).toEqual({ version: 1, coordinatorEpoch: -1 });
  });

  it('reject short or null keys and values', () => {
    expect(() => decodeControlKey(Buffer.alloc(3))).toThrow(CorruptRecordError);
    expect(() => decodeControlKey(null)).toThrow(CorruptRecordError);
    expect(() => decodeEndTxnMarker(Buffer.alloc(5))).toThrow(CorruptRecordError);
  });
});

describe('encodeControlBatch', () => {
  for (const commit of [true, false]) {
    it(`writes a transactional control batch with one ${commit ? 'COMMIT' : 'ABORT'} marker`, async () => {
      const buf = encodeControlBatch({ ...marker, commit });
      const { header, records } = decodeBatch(buf);
      expect(isControl(header.attributes) && isTransactional(header.attributes)).toBe(true);
      expect(header).toMatchObject({
        baseOffset: 55,
        producerId: 9001,
        producerEpoch: 4,
        baseSequence: -1,
        recordCount: 1,
        lastOffsetDelta: 0,
        baseTimestamp: marker.timestamp,
        maxTimestamp: marker.timestamp,
      });
      expect(records).toHaveLength(1);
      expect(decodeControlKey(records[0]!.key)).toEqual({ version: 0, type: commit ? 1 : 0 });
      expect(decodeEndTxnMarker(records[0]!.value)).toEqual({ version: 0, coordinatorEpoch: 17 });

      const theirs = await kafkajsDecodeBatch(buf);
      expect(theirs).toMatchObject({ isControlBatch: true, inTransaction: true, producerId: '9001', firstOffset: '55' });
      expect(theirs.records[0]!.isControlRecord).toBe(true);
    });
  }
});
