// Property-based round trip of every request and response of every API at every version:
// arbitraries are built from the message definition for that version, encoded, decoded, and
// compared on the fields the version has (absent fields must decode to their defaults).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { apiDefs } from '../../../protocol/schema/index.js';
import { inRange, type FieldDef, type MessageDef } from '../../../protocol/codec/schema-types.js';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../../protocol/codec/messages.js';
import type { AnyApiKey } from '../../../protocol/codec/messages.js';
import { Reader } from '../../../protocol/codec/reader.js';
import { Writer } from '../../../protocol/codec/writer.js';

type Value = unknown;
const RUNS = 25;

const INT_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  int64: [-(2 ** 53) + 1, 2 ** 53 - 1],
};

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 }));
const blob = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
const uuid = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a).toString('base64url'));
/** Records: one buffer, or (responses) a list of stored batches written back to back. */
const records = fc.oneof(blob, fc.array(blob, { minLength: 1, maxLength: 3 }));

function primitive(type: string): fc.Arbitrary<Value> {
  switch (type) {
    case 'bool':
      return fc.boolean();
    case 'float64':
      return fc.double();
    case 'uuid':
      return uuid;
    case 'string':
      return text;
    case 'bytes':
      return blob;
    case 'records':
      return records;
    default: {
      const [lo, hi] = INT_RANGES[type]!;
      return fc.integer({ min: lo, max: hi });
    }
  }
}

function present(fields: FieldDef[], v: number): FieldDef[] {
  return fields.filter((f) => inRange(f.versions, v));
}

function structArb(fields: FieldDef[], v: number): fc.Arbitrary<Record<string, Value>> {
  const model: Record<string, fc.Arbitrary<Value>> = {};
  for (const f of present(fields, v)) model[f.name] = fieldArb(f, v);
  return fc.record(model);
}

function fieldArb(f: FieldDef, v: number): fc.Arbitrary<Value> {
  const one = f.type === 'struct' ? structArb(f.fields ?? [], v) : primitive(f.type);
  const arb = f.array ? fc.array(one, { maxLength: 3 }) : one;
  return inRange(f.nullable, v) ? fc.option(arb, { nil: null, freq: 4 }) : arb;
}

/** The decoded value restricted to the fields of version v, records flattened to one buffer. */
function project(fields: FieldDef[], v: number, value: Record<string, Value>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const f of present(fields, v)) out[f.name] = projectField(f, v, value[f.name]);
  return out;
}

function projectField(f: FieldDef, v: number, x: Value): Value {
  if (x === null || x === undefined) return x;
  const one = (e: Value): Value => {
    if (f.type === 'struct') return project(f.fields ?? [], v, e as Record<string, Value>);
    if (f.type === 'records' && Array.isArray(e)) return Buffer.concat(e as Buffer[]);
    return e;
  };
  return f.array ? (x as Value[]).map(one) : one(x);
}

/** Fields absent in version v hold their definition defaults after decoding. */
function expectAbsentDefaults(fields: FieldDef[], v: number, decoded: Record<string, Value>): void {
  for (const f of fields) {
    if (inRange(f.versions, v)) continue;
    expect(f.name in decoded, `${f.name} present in decoded value`).toBe(true);
    if (f.default !== undefined) expect(decoded[f.name]).toEqual(f.default);
  }
}

function versions(min: number, max: number): number[] {
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

describe.each(apiDefs.map((d) => [`${d.apiKey} ${d.name}`, d] as const))('%s', (_, def) => {
  const key = def.apiKey as AnyApiKey;
  const check = (msg: MessageDef, v: number, decoded: Record<string, Value>, sent: Record<string, Value>): void => {
    expect(project(msg.fields, v, decoded)).toEqual(project(msg.fields, v, sent));
    expectAbsentDefaults(msg.fields, v, decoded);
  };

  it.each(versions(def.minVersion, def.maxVersion))('request v%i', (v) => {
    fc.assert(
      fc.property(structArb(def.request.fields, v), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (body, corr) => {
        const frame = encodeRequest(key, v, corr, 'creek-test', body as never);
        expect(frame.readInt32BE(0)).toBe(frame.length - 4);
        const { header, body: decoded } = decodeRequest(frame.subarray(4));
        expect(header).toEqual({ apiKey: key, apiVersion: v, correlationId: corr, clientId: 'creek-test' });
        check(def.request, v, decoded as Record<string, Value>, body);
        expect(encodeRequest(key, v, corr, 'creek-test', decoded as never)).toEqual(frame);
      }),
      { numRuns: RUNS },
    );
  });

  it.each(versions(def.minVersion, def.maxVersion))('response v%i', (v) => {
    fc.assert(
      fc.property(structArb(def.response.fields, v), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (body, corr) => {
        const frame = Buffer.concat(encodeResponse(key, v, corr, body));
        expect(frame.readInt32BE(0)).toBe(frame.length - 4);
        const { correlationId, body: decoded } = decodeResponse(key, v, frame.subarray(4));
        expect(correlationId).toBe(corr);
        check(def.response, v, decoded as unknown as Record<string, Value>, body);
        // Re-encoding the decoded value gives the same bytes: nothing was left unread or lost.
        expect(Buffer.concat(encodeResponse(key, v, corr, decoded))).toEqual(frame);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('int64 sentinels', () => {
  // Java clients and brokers use Long.MAX_VALUE / Long.MIN_VALUE as "no limit" markers; as JS
  // numbers they round to ±2^63 and must be written back as the same 8 bytes.
  it.each([
    ['Long.MAX_VALUE', '7fffffffffffffff'],
    ['Long.MIN_VALUE', '8000000000000000'],
    ['-1', 'ffffffffffffffff'],
  ])('%s survives decode and re-encode', (_, hex) => {
    const w = new Writer();
    w.int64(new Reader(Buffer.from(hex, 'hex')).int64());
    expect(w.toBuffer().toString('hex')).toBe(hex);
  });
});

describe('tagged fields', () => {
  const partition = (extra: Record<string, Value>): Record<string, Value> => ({
    partitionIndex: 0,
    errorCode: 0,
    highWatermark: 10,
    lastStableOffset: 10,
    logStartOffset: 0,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: null,
    ...extra,
  });
  const fetchResponse = (extra: Record<string, Value>): Buffer =>
    Buffer.concat(encodeResponse(1, 12, 1, { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 't', partitions: [partition(extra)] }] }));

  it('are left out when equal to their defaults, as Kafka does', () => {
    const bare = fetchResponse({});
    expect(fetchResponse({ currentLeader: { leaderId: -1, leaderEpoch: -1 }, divergingEpoch: { epoch: -1, endOffset: -1 } })).toEqual(bare);
    const withLeader = fetchResponse({ currentLeader: { leaderId: 2, leaderEpoch: 5 } });
    // tag + size, then leaderId, leaderEpoch and the struct's own (empty) tag section.
    expect(withLeader.length).toBe(bare.length + 2 + 8 + 1);
    const decoded = decodeResponse(1, 12, withLeader.subarray(4)).body;
    expect(decoded.responses[0]!.partitions[0]!.currentLeader).toEqual({ leaderId: 2, leaderEpoch: 5 });
  });

  it('with unknown tags are skipped', () => {
    const frame = encodeRequest(18, 3, 5, 'c', { clientSoftwareName: 'x', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 });
    // Replace the body's empty tag section (last byte) with one unknown tag 9 of 3 bytes.
    const tagged = Buffer.concat([frame.subarray(0, -1), Buffer.from([1, 9, 3, 0xaa, 0xbb, 0xcc])]);
    tagged.writeInt32BE(tagged.length - 4, 0);
    // clusterId and nodeId (v5+) take their defaults.
    expect(decodeRequest(tagged.subarray(4)).body).toEqual({ clientSoftwareName: 'x', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 });
  });
});
