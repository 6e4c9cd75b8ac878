// Request header v1/v2 and response header v0/v1.
// binary-parser was measured for the header's fixed prefix and was ~5x slower than Reader
// (npm run bench:protocol), so headers use Reader like every message body.
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

/** Reads the fixed part every version shares; used before the version is known to be valid. */
export function peekRequestHeader(frame: Buffer): Pick<RequestHeader, 'apiKey' | 'apiVersion' | 'correlationId'> {
  if (frame.length < REQUEST_HEADER_PREFIX) throw new ProtocolError(`request header truncated (${frame.length} bytes)`);
  return {
    apiKey: frame.readInt16BE(0),
    apiVersion: frame.readInt16BE(2),
    correlationId: frame.readInt32BE(4),
  };
}

/** Request header versions: v0 (no client id; only ControlledShutdown v0), v1, v2 (+ tagged fields). */
export type RequestHeaderVersion = 0 | 1 | 2;

/** Decodes a request header; the reader is left at the start of the request body. */
export function readRequestHeader(r: Reader, headerVersion: RequestHeaderVersion): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  // The client id stays a classic (non-compact) string even in header v2.
  const clientId = headerVersion === 0 ? null : r.nullableString();
  if (headerVersion === 2) skipTaggedFields(r);
  return { apiKey, apiVersion, correlationId, clientId };
}

export function writeRequestHeader(w: Writer, h: RequestHeader, headerVersion: RequestHeaderVersion): void {
  w.int16(h.apiKey);
  w.int16(h.apiVersion);
  w.int32(h.correlationId);
  if (headerVersion > 0) w.nullableString(h.clientId);
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
