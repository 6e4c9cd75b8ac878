import { describe, expect, it } from 'vitest';
import { newKafkaUuid } from '../../src/kafka-uuid.js';

describe('newKafkaUuid', () => {
  it('gives 22-character base64url ids that never start with "-"', () => {
    const ids = Array.from({ length: 5000 }, newKafkaUuid);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
