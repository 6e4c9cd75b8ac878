// Encoding and decoding of whole requests and responses, by API key and version.
// Codecs are compiled on first use of an (API, version) and cached.
import { apiDefs, type ApiMessages } from '../schema/index.js';
import { ProtocolError } from '../protocol-error.js';
import { compileMessage, type MessageCodec } from './compile.js';
import { readRequestHeader, readResponseHeader, writeRequestHeader, writeResponseHeader, type RequestHeader } from './headers.js';
import { Reader } from './reader.js';
import { Writer, patchInt32 } from './writer.js';
import type { ApiDef } from './schema-types.js';

export type AnyApiKey = keyof ApiMessages;
export type RequestOf<K extends AnyApiKey> = ApiMessages[K]['request'];
export type ResponseOf<K extends AnyApiKey> = ApiMessages[K]['response'];

const API_VERSIONS_KEY = 18;
const byKey = new Map<number, ApiDef>(apiDefs.map((d) => [d.apiKey, d]));
const cache = new Map<number, MessageCodec>();

export function apiDef(apiKey: number): ApiDef | undefined {
  return byKey.get(apiKey);
}

export function isDefinedVersion(apiKey: number, version: number): boolean {
  const d = byKey.get(apiKey);
  return d !== undefined && version >= d.minVersion && version <= d.maxVersion;
}

export function isFlexible(apiKey: number, version: number): boolean {
  const d = byKey.get(apiKey);
  return d !== undefined && d.flexibleFrom !== null && version >= d.flexibleFrom;
}

export function requestHeaderVersion(apiKey: number, version: number): 1 | 2 {
  return isFlexible(apiKey, version) ? 2 : 1;
}

/** ApiVersions responses always use header v0 so that any client can read the version list. */
export function responseHeaderVersion(apiKey: number, version: number): 0 | 1 {
  return apiKey !== API_VERSIONS_KEY && isFlexible(apiKey, version) ? 1 : 0;
}

function codec(apiKey: number, version: number, isResponse: boolean): MessageCodec {
  const id = apiKey * 2048 + version * 2 + (isResponse ? 1 : 0);
  let c = cache.get(id);
  if (!c) {
    const d = byKey.get(apiKey);
    if (!d || version < d.minVersion || version > d.maxVersion) {
      throw new ProtocolError(`no definition for api ${apiKey} v${version}`);
    }
    c = compileMessage(isResponse ? d.response : d.request, version, isFlexible(apiKey, version));
    cache.set(id, c);
  }
  return c;
}

export function requestCodec<K extends AnyApiKey>(apiKey: K, version: number): MessageCodec<RequestOf<K>> {
  return codec(apiKey, version, false) as MessageCodec<RequestOf<K>>;
}

export function responseCodec<K extends AnyApiKey>(apiKey: K, version: number): MessageCodec<ResponseOf<K>> {
  return codec(apiKey, version, true) as MessageCodec<ResponseOf<K>>;
}

export interface DecodedRequest {
  header: RequestHeader;
  body: unknown;
}

/** Decodes a request frame (without its 4-byte size prefix). Throws ProtocolError. */
export function decodeRequest(frame: Buffer): DecodedRequest {
  const r = new Reader(frame);
  if (frame.length < 4) throw new ProtocolError('request header truncated');
  const apiKey = frame.readInt16BE(0);
  const version = frame.readInt16BE(2);
  const header = readRequestHeader(r, requestHeaderVersion(apiKey, version));
  const body = codec(apiKey, version, false).decode(r);
  if (r.remaining !== 0) throw new ProtocolError(`${r.remaining} unread bytes after api ${apiKey} v${version} request`);
  return { header, body };
}

/** Encodes a response frame with its size prefix, as buffers ready for a vectored write. */
export function encodeResponse(apiKey: number, version: number, correlationId: number, body: unknown): Buffer[] {
  const w = new Writer(512);
  const size = w.reserveInt32();
  writeResponseHeader(w, correlationId, responseHeaderVersion(apiKey, version));
  codec(apiKey, version, true).encode(w, body);
  const chunks = w.toChunks();
  patchInt32(chunks, size, w.length - 4);
  return chunks;
}

/** Encodes a request frame with its size prefix (clients, tests and the load generator). */
export function encodeRequest<K extends AnyApiKey>(
  apiKey: K,
  version: number,
  correlationId: number,
  clientId: string | null,
  body: RequestOf<K>,
): Buffer {
  const w = new Writer(512);
  const size = w.reserveInt32();
  writeRequestHeader(w, { apiKey, apiVersion: version, correlationId, clientId }, requestHeaderVersion(apiKey, version));
  codec(apiKey, version, false).encode(w, body);
  const chunks = w.toChunks();
  patchInt32(chunks, size, w.length - 4);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** Decodes a response frame (without size prefix) for a request of the given API and version. */
export function decodeResponse<K extends AnyApiKey>(
  apiKey: K,
  version: number,
  frame: Buffer,
): { correlationId: number; body: ResponseOf<K> } {
  const r = new Reader(frame);
  const correlationId = readResponseHeader(r, responseHeaderVersion(apiKey, version));
  const body = codec(apiKey, version, true).decode(r) as ResponseOf<K>;
  return { correlationId, body };
}
