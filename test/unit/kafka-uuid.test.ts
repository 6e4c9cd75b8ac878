import { describe, expect, it } from 'vitest';
import { isKafkaUuid, newKafkaUuid } from '../../src/kafka-uuid.js';

describe('newKafkaUuid', () => {
  it('gives 22-character base64url ids that never start with "-"', () => {
    const ids = Array.from({ length: 5000 }, newKafkaUuid);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('isKafkaUuid', () => {
  it('accepts what newKafkaUuid makes and refuses other text', () => {
    expect(isKafkaUuid(newKafkaUuid())).toBe(true);
    expect(isKafkaUuid('AAAAAAAAAAAAAAAAAAAAAA')).toBe(true);
    for (const bad of ['', 'abc', 'AAAAAAAAAAAAAAAAAAAAA', 'AAAAAAAAAAAAAAAAAAAAAAA', 'AAAAAAAAAAAAAAAAAAAA+/', 'AAAAAAAAAA:AAAAAAAAAAA']) expect(isKafkaUuid(bad)).toBe(false);
  });
});
