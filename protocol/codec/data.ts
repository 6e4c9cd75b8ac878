// Version-prefixed data embedded in other messages: an int16 version, then the fields of that
// version. Kafka reads data written by a newer client with its own newest version and ignores
// what follows (later fields are all "ignorable"), so decoding does the same. Some clients
// (kafkajs) label v0 layouts with a higher version; when the bytes end early, the data is read
// as the highest older version that fits, since every later field is ignorable.
import { ProtocolError } from '../protocol-error.js';
import { compileMessage, type MessageCodec } from './compile.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';
import type { DataDef } from './schema-types.js';

const cache = new WeakMap<DataDef, Map<number, MessageCodec>>();

function codecFor(def: DataDef, version: number): MessageCodec {
  let byVersion = cache.get(def);
  if (!byVersion) cache.set(def, (byVersion = new Map()));
  let c = byVersion.get(version);
  if (!c) {
    c = compileMessage(def, version, def.flexibleFrom !== null && version >= def.flexibleFrom);
    byVersion.set(version, c);
  }
  return c;
}

export function encodeData<T>(def: DataDef, version: number, value: T): Buffer {
  if (version < def.minVersion || version > def.maxVersion) throw new ProtocolError(`${def.name} has no version ${version}`);
  const w = new Writer(128);
  w.int16(version);
  codecFor(def, version).encode(w, value);
  return w.toBuffer();
}

export function decodeData<T>(def: DataDef, buf: Buffer): { version: number; value: T } {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < def.minVersion) throw new ProtocolError(`${def.name} version ${version} is below ${def.minVersion}`);
  const start = r.pos;
  for (let v = Math.min(version, def.maxVersion); ; v--) {
    try {
      r.pos = start;
      return { version, value: codecFor(def, v).decode(r) as T };
    } catch (err) {
      if (v <= def.minVersion || !(err instanceof ProtocolError)) throw err;
    }
  }
}
