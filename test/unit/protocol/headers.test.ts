// Request header v0/v1/v2 and response header v0/v1, byte for byte.
import { describe, expect, it } from 'vitest';
import { readRequestHeader, readResponseHeader, writeRequestHeader, writeResponseHeader } from '../../../protocol/codec/headers.js';
import { Reader } from '../../../protocol/codec/reader.js';
import { Writer } from '../../../protocol/codec/writer.js';
import { ProtocolError } from '../../../protocol/protocol-error.js';

const header = { apiKey: 3, apiVersion: 12, correlationId: 77, clientId: 'cli' };

describe('request headers', () => {
  it('v0 has no client id', () => {
    const w = new Writer();
    writeRequestHeader(w, header, 0);
    const b = w.toBuffer();
    expect(b.toString('hex')).toBe('0003000c0000004d');
    expect(readRequestHeader(new Reader(b), 0)).toEqual({ ...header, clientId: null });
  });
  it('v1 adds a classic nullable client id', () => {
    const w = new Writer();
    writeRequestHeader(w, { ...header, clientId: null }, 1);
    expect(w.toBuffer().toString('hex')).toBe('0003000c0000004dffff');
    const w2 = new Writer();
    writeRequestHeader(w2, header, 1);
    expect(readRequestHeader(new Reader(w2.toBuffer()), 1)).toEqual(header);
  });
  it('v2 keeps the classic client id and adds tagged fields, skipping unknown ones', () => {
    const w = new Writer();
    writeRequestHeader(w, header, 2);
    const b = w.toBuffer();
    expect(b.toString('hex')).toBe('0003000c0000004d' + '0003636c69' + '00');
    // One unknown tagged field (tag 5, 2 bytes) followed by the body.
    const withTag = Buffer.concat([b.subarray(0, b.length - 1), Buffer.from([1, 5, 2, 0xaa, 0xbb, 0x42])]);
    const r = new Reader(withTag);
    expect(readRequestHeader(r, 2)).toEqual(header);
    expect(r.int8()).toBe(0x42);
  });
  it('a truncated header is a ProtocolError', () => {
    expect(() => readRequestHeader(new Reader(Buffer.from('0003000c0000', 'hex')), 1)).toThrow(ProtocolError);
  });
});

describe('response headers', () => {
  it('v0 is the correlation id; v1 adds tagged fields', () => {
    const w0 = new Writer();
    writeResponseHeader(w0, 9, 0);
    expect(w0.toBuffer().toString('hex')).toBe('00000009');
    const w1 = new Writer();
    writeResponseHeader(w1, 9, 1);
    expect(w1.toBuffer().toString('hex')).toBe('0000000900');
    expect(readResponseHeader(new Reader(w1.toBuffer()), 1)).toBe(9);
  });
});
