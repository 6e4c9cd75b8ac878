// protocol/errors.ts: the Kafka error table is complete from -1 to 133, names are unique, and
// it agrees with kafkajs's independent table on every code kafkajs knows.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ErrorCode, errorInfo } from '../../../protocol/errors.js';

const require = createRequire(import.meta.url);
const { errorCodes } = require('kafkajs/src/protocol/error.js') as {
  errorCodes: { type: string; code: number; retriable: boolean }[];
};

describe('Kafka error codes', () => {
  it('has every code from -1 to 133 exactly once', () => {
    const codes = Object.values(ErrorCode).sort((a, b) => a - b);
    expect(codes).toEqual(Array.from({ length: 135 }, (_, i) => i - 1));
  });

  it('maps codes to names, retriability and a message', () => {
    expect(ErrorCode.NONE).toBe(0);
    expect(ErrorCode.UNKNOWN_SERVER_ERROR).toBe(-1);
    expect(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).toBe(3);
    expect(errorInfo(2)).toMatchObject({ name: 'CORRUPT_MESSAGE', retriable: true });
    expect(errorInfo(43)).toMatchObject({ name: 'UNSUPPORTED_FOR_MESSAGE_FORMAT', retriable: false });
    expect(errorInfo(133)).toMatchObject({ name: 'SHARE_SESSION_LIMIT_REACHED', retriable: true });
    for (const code of Object.values(ErrorCode)) {
      if (code !== 0) expect(errorInfo(code).message.length).toBeGreaterThan(0);
    }
  });

  it('reads an unknown code as UNKNOWN_SERVER_ERROR', () => {
    expect(errorInfo(9999)).toMatchObject({ code: -1, name: 'UNKNOWN_SERVER_ERROR' });
  });

  it('agrees with kafkajs on names, codes and retriability', () => {
    // kafkajs still uses the names these codes had before Kafka renamed them.
    const renamed: { [code: number]: string } = {
      [-1]: 'UNKNOWN',
      6: 'NOT_LEADER_FOR_PARTITION',
      14: 'GROUP_LOAD_IN_PROGRESS',
      15: 'GROUP_COORDINATOR_NOT_AVAILABLE',
      16: 'NOT_COORDINATOR_FOR_GROUP',
    };
    for (const { type, code, retriable } of errorCodes) {
      const info = errorInfo(code);
      expect(info.code, `code ${code}`).toBe(code);
      if (info.name !== type) expect(renamed[code], `code ${code}: ours ${info.name}, kafkajs ${type}`).toBe(type);
      expect(info.retriable, `retriable of ${type}`).toBe(retriable);
    }
  });
});
