// Kafka's random ids (cluster ids, topic ids): 16 random bytes shown as unpadded base64url.
import { randomBytes } from 'node:crypto';

const ZERO = 'AAAAAAAAAAAAAAAAAAAAAA';

/** Like Kafka's Uuid.randomUuid: never the reserved zero id, never text starting with '-' (read as an option by CLI tools). */
export function newKafkaUuid(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-') && id !== ZERO) return id;
  }
}

/** Whether text reads as a Kafka Uuid (Uuid.fromString): base64url of exactly 16 bytes. */
export function isKafkaUuid(text: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(text) && Buffer.from(text, 'base64url').length === 16;
}
