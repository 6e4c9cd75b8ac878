// Request header v0/v1/v2 and response header v0/v1.
// The request header's fixed prefix (api key, version, correlation id, client id length) is a
// fixed layout, so it is decoded by a binary-parser compiled parser; the rest by Reader.
import { Parser } from 'binary-parser';
import { ProtocolError } from '../protocol-error.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Bytes every request header starts with: apiKey, apiVersion, correlationId. */
export const REQUEST_HEADER_PREFIX = 8;

interface Prefix {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientIdLength: number;
}

const prefixParser = new Parser()
  .endianness('big')
  .int16('apiKey')
  .int16('apiVersion')
  .int32('correlationId')
  .int16('clientIdLength');

/** Reads the fixed part every version shares; used before the version is known to be valid. */
export function peekRequestHeader(frame: Buffer): Pick<RequestHeader, 'apiKey' | 'apiVersion' | 'correlationId'> {
  if (frame.length < REQUEST_HEADER_PREFIX) throw new ProtocolError(`request header truncated (${frame.length} bytes)`);
  return {
    apiKey: frame.readInt16BE(0),
    apiVersion: frame.readInt16BE(2),
    correlationId: frame.readInt32BE(4),
  };
}

/**
 * Decodes a request header of version 1 or 2 (v0 has no client id and is used by no client API).
 * The reader is left at the start of the request body.
 */
export function readRequestHeader(r: Reader, headerVersion: 1 | 2): RequestHeader {
  if (r.remaining < 10) throw new ProtocolError(`request header truncated (${r.remaining} bytes)`);
  const p = prefixParser.parse(r.buf.subarray(r.pos, r.pos + 10)) as Prefix;
  r.skip(10);
  let clientId: string | null = null;
  if (p.clientIdLength >= 0) {
    if (p.clientIdLength > r.remaining) throw new ProtocolError('client id overruns the frame');
    clientId = r.buf.toString('utf8', r.pos, r.pos + p.clientIdLength);
    r.skip(p.clientIdLength);
  } else if (p.clientIdLength !== -1) {
    throw new ProtocolError(`invalid client id length ${p.clientIdLength}`);
  }
  if (headerVersion === 2) skipTaggedFields(r);
  return { apiKey: p.apiKey, apiVersion: p.apiVersion, correlationId: p.correlationId, clientId };
}

export function writeRequestHeader(w: Writer, h: RequestHeader, headerVersion: 1 | 2): void {
  w.int16(h.apiKey);
  w.int16(h.apiVersion);
  w.int32(h.correlationId);
  w.nullableString(h.clientId);
  if (headerVersion === 2) w.uvarint(0);
}

export function writeResponseHeader(w: Writer, correlationId: number, headerVersion: 0 | 1): void {
  w.int32(correlationId);
  if (headerVersion === 1) w.uvarint(0);
}

export function readResponseHeader(r: Reader, headerVersion: 0 | 1): number {
  const correlationId = r.int32();
  if (headerVersion === 1) skipTaggedFields(r);
  return correlationId;
}

function skipTaggedFields(r: Reader): void {
  for (let n = r.uvarint(); n > 0; n--) {
    r.uvarint();
    r.skip(r.uvarint());
  }
}
