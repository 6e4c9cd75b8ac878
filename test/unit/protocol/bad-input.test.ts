// Hostile input to decodeRequest: every truncation of sample requests, random and mutated
// frames, and lengths far larger than the frame. The only acceptable failure is ProtocolError,
// raised before anything is allocated for the claimed length.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeRequest, encodeRequest, type AnyApiKey, type RequestOf } from '../../../protocol/codec/messages.js';
import { ProtocolError } from '../../../protocol/protocol-error.js';
import { INT64_MAX, Writer } from '../../../protocol/codec/writer.js';
import { apiDefs } from '../../../protocol/schema/index.js';
import { produceRequest } from '../../helpers/raw-requests.js';
import { sampleBatch } from './sample-batch.js';

const TOPIC_ID = Buffer.alloc(16, 7).toString('base64url');

function frame<K extends AnyApiKey>(key: K, version: number, body: RequestOf<K>): Buffer {
  return encodeRequest(key, version, 42, 'bad-input', body).subarray(4);
}

const fetchBody = (v: number): RequestOf<1> => ({
  clusterId: v >= 12 ? 'cluster' : null,
  replicaId: -1,
  replicaState: { replicaId: -1, replicaEpoch: -1 },
  maxWaitMs: 500,
  minBytes: 1,
  maxBytes: 52428800,
  isolationLevel: 1,
  sessionId: 0,
  sessionEpoch: -1,
  topics: [
    {
      topic: 'orders',
      topicId: TOPIC_ID,
      partitions: [0, 1].map((p) => ({
        partition: p,
        currentLeaderEpoch: 3,
        fetchOffset: 1000 + p,
        lastFetchedEpoch: -1,
        logStartOffset: 0,
        partitionMaxBytes: 1048576,
        replicaDirectoryId: TOPIC_ID,
        highWatermark: INT64_MAX,
      })),
    },
  ],
  forgottenTopicsData: [{ topic: 'old', topicId: TOPIC_ID, partitions: [4, 5] }],
  rackId: 'rack-a',
});

const samples: [string, Buffer][] = [
  [
    'Produce v9 with a batch',
    frame(0, 9, produceRequest({ topic: 'orders', records: sampleBatch(3, 20) }, { timeoutMs: 30000 })),
  ],
  [
    'Produce v3 with a batch',
    frame(0, 3, produceRequest({ topic: 'orders', partition: 2, records: sampleBatch(2, 10) }, { transactionalId: 'tx', acks: 1, timeoutMs: 30000 })),
  ],
  ['Fetch v12', frame(1, 12, fetchBody(12))],
  ['Fetch v4', frame(1, 4, fetchBody(4))],
  [
    'Metadata v12',
    frame(3, 12, {
      topics: [{ topicId: TOPIC_ID, name: 'orders' }, { topicId: TOPIC_ID, name: null }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: true,
    }),
  ],
  [
    'JoinGroup v9',
    frame(11, 9, {
      groupId: 'group',
      sessionTimeoutMs: 10000,
      rebalanceTimeoutMs: 60000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from([0, 3, 0, 0, 0, 1, 0, 6, 111, 114, 100, 101, 114, 115]) }],
      reason: 'joining',
    }),
  ],
  ['ApiVersions v3', frame(18, 3, { clientSoftwareName: 'creek', clientSoftwareVersion: '0.1.0', clusterId: null, nodeId: -1 })],
  [
    'CreateTopics v5 with configs',
    frame(19, 5, {
      topics: [
        {
          name: 'orders',
          numPartitions: 3,
          replicationFactor: 1,
          assignments: [],
          configs: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'retention.ms', value: null },
          ],
        },
      ],
      timeoutMs: 30000,
      validateOnly: false,
    }),
  ],
];

/** Runs fn and returns what it threw (undefined when it returned). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('truncation at every byte offset', () => {
  it.each(samples)('%s', (_, full) => {
    expect(decodeRequest(full).header.correlationId).toBe(42);
    for (let cut = 0; cut < full.length; cut++) {
      const err = thrown(() => decodeRequest(full.subarray(0, cut)));
      expect(err, `cut at ${cut} of ${full.length}`).toBeInstanceOf(ProtocolError);
    }
  });
});

const onlyProtocolErrors = (bytes: Buffer): void => {
  const err = thrown(() => decodeRequest(bytes));
  if (err !== undefined && !(err instanceof ProtocolError)) throw err;
};

describe('garbage', () => {
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (a) => onlyProtocolErrors(Buffer.from(a))), { numRuns: 2000 });
  });

  it('a valid header for every API and version followed by random bytes', () => {
    const keyVersion = fc.constantFrom(...apiDefs).chain((d) =>
      fc.tuple(fc.constant(d.apiKey), fc.integer({ min: d.minVersion, max: d.maxVersion })),
    );
    fc.assert(
      fc.property(keyVersion, fc.uint8Array({ maxLength: 120 }), ([key, version], body) => {
        const w = new Writer();
        w.int16(key);
        w.int16(version);
        w.int32(1);
        w.nullableString('x');
        w.uvarint(0);
        onlyProtocolErrors(Buffer.concat([w.toBuffer(), body]));
      }),
      { numRuns: 3000 },
    );
  });

  it('sample requests with random bytes overwritten', () => {
    const mutation = fc
      .constantFrom(...samples.map(([, f]) => f))
      .chain((f) =>
        fc.tuple(
          fc.constant(f),
          fc.array(fc.tuple(fc.nat({ max: f.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        ),
      );
    fc.assert(
      fc.property(mutation, ([f, edits]) => {
        const copy = Buffer.from(f);
        for (const [at, byte] of edits) copy[at] = byte;
        onlyProtocolErrors(copy);
      }),
      { numRuns: 3000 },
    );
  });

  it('unknown API keys and versions', () => {
    for (const [key, version] of [
      [9999, 0],
      [0, 999],
      [-1, 0],
      [18, -1],
    ]) {
      const w = new Writer();
      w.int16(key!);
      w.int16(version!);
      w.int32(1);
      w.nullableString(null);
      expect(thrown(() => decodeRequest(w.toBuffer()))).toBeInstanceOf(ProtocolError);
    }
  });
});

describe('lengths larger than the frame', () => {
  /** A Metadata request header (v9+ flexible: compact lengths), then `body`. */
  const withHeader = (version: number, body: (w: Writer) => void): Buffer => {
    const w = new Writer();
    w.int16(3);
    w.int16(version);
    w.int32(7);
    w.nullableString('c');
    if (version >= 9) w.uvarint(0);
    body(w);
    return w.toBuffer();
  };
  const cases: [string, Buffer][] = [
    ['int32 array count 2^31-1', withHeader(1, (w) => w.int32(2 ** 31 - 1))],
    ['int32 array count -2', withHeader(1, (w) => w.int32(-2))],
    ['compact array count 2^32-2', withHeader(9, (w) => w.uvarint(2 ** 32 - 1))],
    ['string length 32767', withHeader(1, (w) => (w.int32(1), w.int16(32767)))],
    ['string length -2', withHeader(1, (w) => (w.int32(1), w.int16(-2)))],
    ['compact string length 2^32-2', withHeader(10, (w) => (w.uvarint(2), w.raw(Buffer.alloc(16)), w.uvarint(2 ** 32 - 1)))],
    ['varint longer than 5 bytes', withHeader(9, (w) => w.raw(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])))],
    ['tagged field size 2^31', withHeader(9, (w) => (w.uvarint(1), w.bool(true), w.bool(false), w.bool(false), w.uvarint(1), w.uvarint(5), w.uvarint(2 ** 31)))],
  ];
  it.each(cases)('%s', (_, bytes) => {
    expect(bytes.length).toBeLessThan(40);
    const before = process.memoryUsage().arrayBuffers;
    const err = thrown(() => decodeRequest(bytes));
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/exceeds|invalid|longer than|overruns/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });

  it('bytes length 2^31-1 in a Produce request', () => {
    const w = new Writer();
    w.int16(0);
    w.int16(3);
    w.int32(7);
    w.nullableString('c');
    w.nullableString(null);
    w.int16(1);
    w.int32(1000);
    w.int32(1);
    w.string('t');
    w.int32(1);
    w.int32(0);
    w.int32(2 ** 31 - 1);
    expect(thrown(() => decodeRequest(w.toBuffer()))).toBeInstanceOf(ProtocolError);
  });
});
