// The embedded consumer-protocol subscription/assignment schemas, checked against kafkajs's own
// encoder/decoder (AssignerProtocol) and for forward compatibility with newer versions.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeData, encodeData } from '../../../protocol/codec/data.js';
import {
  consumerProtocolAssignment,
  consumerProtocolSubscription,
  type ConsumerProtocolAssignment,
  type ConsumerProtocolSubscription,
} from '../../../protocol/schema/index.js';

const require = createRequire(import.meta.url);
const { MemberMetadata, MemberAssignment } = require('kafkajs/src/consumer/assignerProtocol.js') as {
  MemberMetadata: { encode(m: object): Buffer; decode(b: Buffer): { version: number; topics: string[]; userData: Buffer } };
  MemberAssignment: { encode(m: object): Buffer; decode(b: Buffer): { version: number; assignment: Record<string, number[]>; userData: Buffer } };
};

describe('consumer protocol data', () => {
  it('decodes kafkajs subscriptions and kafkajs decodes ours', () => {
    const theirs = MemberMetadata.encode({ version: 1, topics: ['a', 'b'], userData: Buffer.from('u') });
    const decoded = decodeData<ConsumerProtocolSubscription>(consumerProtocolSubscription, theirs);
    expect(decoded.version).toBe(1);
    expect(decoded.value.topics).toEqual(['a', 'b']);
    expect(decoded.value.userData?.toString()).toBe('u');

    const ours = encodeData<ConsumerProtocolSubscription>(consumerProtocolSubscription, 0, { topics: ['x'], userData: Buffer.from('d') });
    expect(MemberMetadata.decode(ours)).toEqual({ version: 0, topics: ['x'], userData: Buffer.from('d') });
  });

  it('decodes kafkajs assignments and kafkajs decodes ours', () => {
    const theirs = MemberAssignment.encode({ version: 0, assignment: { t1: [0, 2], t2: [1] }, userData: Buffer.alloc(0) });
    const { value } = decodeData<ConsumerProtocolAssignment>(consumerProtocolAssignment, theirs);
    expect(value.assignedPartitions).toEqual([
      { topic: 't1', partitions: [0, 2] },
      { topic: 't2', partitions: [1] },
    ]);
    const ours = encodeData<ConsumerProtocolAssignment>(consumerProtocolAssignment, 1, {
      assignedPartitions: [{ topic: 'q', partitions: [3] }],
      userData: null,
    });
    expect(MemberAssignment.decode(ours)).toMatchObject({ version: 1, assignment: { q: [3] } });
  });

  it('round-trips every version, newest fields included', () => {
    for (let v = 0; v <= consumerProtocolSubscription.maxVersion; v++) {
      const value: ConsumerProtocolSubscription = {
        topics: ['t'],
        userData: null,
        ownedPartitions: v >= 1 ? [{ topic: 't', partitions: [0, 1] }] : [],
        generationId: v >= 2 ? 7 : -1,
        rackId: v >= 3 ? 'rack-a' : null,
      };
      expect(decodeData(consumerProtocolSubscription, encodeData(consumerProtocolSubscription, v, value))).toEqual({ version: v, value });
    }
  });

  it('reads a newer version than it knows as its newest, ignoring what follows', () => {
    const v3 = encodeData<ConsumerProtocolSubscription>(consumerProtocolSubscription, 3, {
      topics: ['t'],
      userData: null,
      ownedPartitions: [],
      generationId: 4,
      rackId: 'r',
    });
    const future = Buffer.concat([v3, Buffer.from([1, 2, 3, 4])]);
    future.writeInt16BE(9, 0);
    const { version, value } = decodeData<ConsumerProtocolSubscription>(consumerProtocolSubscription, future);
    expect(version).toBe(9);
    expect(value).toMatchObject({ topics: ['t'], generationId: 4, rackId: 'r' });
  });
});
