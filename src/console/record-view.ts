// How the console shows a record's key, value and header values: the bytes as UTF-8 text when
// they are valid UTF-8, else base64 (the page derives its JSON and hex views from these), and,
// when the bytes carry a Confluent schema id (magic byte 0, then the 4-byte id), the value
// decoded with that schema from the registry. Bytes are never interpreted as markup here or in
// the page.
import type { SchemaRegistry } from '../schema-registry/schema-registry.js';

export interface ShownBytes {
  /** The bytes as UTF-8 text, or base64 when they are not valid UTF-8. */
  text: string;
  encoding: 'utf8' | 'base64';
  /** Decoded with the registry's schema when the bytes start with Confluent's framing. */
  schema?: { id: number; schemaType: string; subject: string; decoded: unknown } | { id: number; error: string };
}

const MAGIC_BYTE = 0;
const FRAMING_BYTES = 5;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function shownBytes(bytes: Buffer | null, registry?: SchemaRegistry): ShownBytes | null {
  if (bytes === null) return null;
  let shown: ShownBytes;
  try {
    shown = { text: utf8.decode(bytes), encoding: 'utf8' };
  } catch {
    shown = { text: bytes.toString('base64'), encoding: 'base64' };
  }
  if (registry !== undefined && bytes.length >= FRAMING_BYTES && bytes[0] === MAGIC_BYTE) {
    const id = bytes.readUInt32BE(1);
    try {
      const { schemaType, subject, value } = registry.decode(id, bytes.subarray(FRAMING_BYTES));
      shown.schema = { id, schemaType, subject, decoded: value };
    } catch (err) {
      shown.schema = { id, error: (err as Error).message };
    }
  }
  return shown;
}
