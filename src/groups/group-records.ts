// Key and value formats of the records Creek writes to __consumer_offsets, modelled on Kafka's
// (the key starts with an int16 version that says which record it is):
//   key v1 OffsetCommitKey { group, topic, partition }  → OffsetCommitValue v1 (with expire
//     timestamp, when the commit asked for a retention) or v3 (with leader epoch)
//   key v2 GroupMetadataKey { group } → GroupMetadataValue v3 (classic group and its members)
//   key v3 ConsumerGroupMetadataKey { group } → ConsumerGroupMetadataValue v0 { epoch }
//   key v17 StreamsGroupMetadataKey { group } → v0 { epoch } (Creek's own value)
//   key v23 StreamsGroupTopologyKey { group } → v0 { topology as JSON bytes } (Creek's own value)
// A null value is a tombstone: the offset or the group was deleted.
import { Reader } from '../../protocol/codec/reader.js';
import { Writer } from '../../protocol/codec/writer.js';
import type { StreamsTopology } from './streams-topology.js';

export interface OffsetKey {
  type: 'offset';
  group: string;
  topic: string;
  partition: number;
}

export interface GroupKey {
  type: 'group' | 'consumer-group' | 'streams-group' | 'streams-topology';
  group: string;
}

export type RecordKey = OffsetKey | GroupKey;

export interface OffsetValue {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** Set when the commit asked for its own retention (OffsetCommit v2-4). */
  expireTimestamp: number | null;
}

export interface StoredMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  /** Metadata of the group's selected protocol. */
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: number;
  members: StoredMember[];
}

export interface ConsumerGroupValue {
  epoch: number;
}

const OFFSET_KEY = 1;
const GROUP_KEY = 2;
const CONSUMER_GROUP_KEY = 3;
const STREAMS_GROUP_KEY = 17;
const STREAMS_TOPOLOGY_KEY = 23;
const GROUP_KEYS: Record<GroupKey['type'], number> = {
  group: GROUP_KEY,
  'consumer-group': CONSUMER_GROUP_KEY,
  'streams-group': STREAMS_GROUP_KEY,
  'streams-topology': STREAMS_TOPOLOGY_KEY,
};

export function encodeKey(key: RecordKey): Buffer {
  const w = new Writer(64);
  if (key.type === 'offset') {
    w.int16(OFFSET_KEY);
    w.string(key.group);
    w.string(key.topic);
    w.int32(key.partition);
  } else {
    w.int16(GROUP_KEYS[key.type]);
    w.string(key.group);
  }
  return w.toBuffer();
}

/** The key, or undefined for a record type this version does not know (skipped on replay). */
export function decodeKey(buf: Buffer): RecordKey | undefined {
  const r = new Reader(buf);
  const version = r.int16();
  switch (version) {
    case 0:
    case OFFSET_KEY:
      return { type: 'offset', group: r.string(), topic: r.string(), partition: r.int32() };
    case GROUP_KEY:
      return { type: 'group', group: r.string() };
    case CONSUMER_GROUP_KEY:
      return { type: 'consumer-group', group: r.string() };
    case STREAMS_GROUP_KEY:
      return { type: 'streams-group', group: r.string() };
    case STREAMS_TOPOLOGY_KEY:
      return { type: 'streams-topology', group: r.string() };
    default:
      return undefined;
  }
}

export function encodeOffsetValue(v: OffsetValue): Buffer {
  const w = new Writer(64);
  if (v.expireTimestamp !== null) {
    w.int16(1);
    w.int64(v.offset);
    w.string(v.metadata);
    w.int64(v.commitTimestamp);
    w.int64(v.expireTimestamp);
  } else {
    w.int16(3);
    w.int64(v.offset);
    w.int32(v.leaderEpoch);
    w.string(v.metadata);
    w.int64(v.commitTimestamp);
  }
  return w.toBuffer();
}

export function decodeOffsetValue(buf: Buffer): OffsetValue {
  const r = new Reader(buf);
  const version = r.int16();
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = r.string();
  const commitTimestamp = r.int64();
  const expireTimestamp = version === 1 ? r.int64() : null;
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}

export function encodeGroupValue(v: GroupValue): Buffer {
  const w = new Writer(256);
  w.int16(3);
  w.string(v.protocolType);
  w.int32(v.generation);
  w.nullableString(v.protocol);
  w.nullableString(v.leader);
  w.int64(v.currentStateTimestamp);
  w.int32(v.members.length);
  for (const m of v.members) {
    w.string(m.memberId);
    w.nullableString(m.groupInstanceId);
    w.string(m.clientId);
    w.string(m.clientHost);
    w.int32(m.rebalanceTimeoutMs);
    w.int32(m.sessionTimeoutMs);
    w.bytes(m.subscription);
    w.bytes(m.assignment);
  }
  return w.toBuffer();
}

export function decodeGroupValue(buf: Buffer): GroupValue {
  const r = new Reader(buf);
  r.int16();
  const protocolType = r.string();
  const generation = r.int32();
  const protocol = r.nullableString();
  const leader = r.nullableString();
  const currentStateTimestamp = r.int64();
  const count = r.arrayLength();
  const members: StoredMember[] = [];
  for (let i = 0; i < count; i++) {
    members.push({
      memberId: r.string(),
      groupInstanceId: r.nullableString(),
      clientId: r.string(),
      clientHost: r.string(),
      rebalanceTimeoutMs: r.int32(),
      sessionTimeoutMs: r.int32(),
      subscription: Buffer.from(r.bytes()),
      assignment: Buffer.from(r.bytes()),
    });
  }
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}

export function encodeConsumerGroupValue(v: ConsumerGroupValue): Buffer {
  const w = new Writer(8);
  w.int16(0);
  w.int32(v.epoch);
  return w.toBuffer();
}

export function decodeConsumerGroupValue(buf: Buffer): ConsumerGroupValue {
  const r = new Reader(buf);
  r.int16();
  return { epoch: r.int32() };
}

/** A streams group's epoch has the consumer group value's layout. */
export const encodeStreamsGroupValue = encodeConsumerGroupValue;
export const decodeStreamsGroupValue = decodeConsumerGroupValue;

export function encodeStreamsTopologyValue(topology: StreamsTopology): Buffer {
  const w = new Writer(256);
  w.int16(0);
  w.bytes(Buffer.from(JSON.stringify(topology)));
  return w.toBuffer();
}

export function decodeStreamsTopologyValue(buf: Buffer): StreamsTopology {
  const r = new Reader(buf);
  r.int16();
  return JSON.parse(Buffer.from(r.bytes()).toString('utf8')) as StreamsTopology;
}
