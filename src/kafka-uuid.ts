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
