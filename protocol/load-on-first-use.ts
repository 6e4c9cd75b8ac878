// Loads a CommonJS package the first time it is needed instead of at start-up. For libraries only
// some clients or brokers use (compression codecs, the schema registry's formats, PKCS12
// truststores, pretty logs): importing them eagerly cost every `creek` start ~10–90 ms and
// several MiB each. Lives in protocol/ (which imports nothing from src/) so both can use it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A function returning the package's exports, required on its first call. */
export function onFirstUse<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}
