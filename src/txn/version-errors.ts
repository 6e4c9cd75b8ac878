// Error codes older request versions cannot carry: Kafka answers PRODUCER_FENCED (KIP-588) only
// to versions that know it, INVALID_PRODUCER_EPOCH to the rest.
import { ErrorCode } from '../../protocol/errors.js';

export function producerFencedFor(code: number, version: number, firstVersionWithFenced: number): number {
  return code === ErrorCode.PRODUCER_FENCED && version < firstVersionWithFenced ? ErrorCode.INVALID_PRODUCER_EPOCH : code;
}
