// The error code a transaction API answers for a failure. Older request versions cannot carry
// PRODUCER_FENCED (KIP-588): Kafka sends them INVALID_PRODUCER_EPOCH instead.
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import { errorCodeOf } from '../kafka-error.js';

/** The code for `err` at this version; unexpected failures are logged. */
export function txnErrorCode(err: unknown, ctx: { version: number; log: Logger }, firstVersionWithFenced: number): number {
  const code = errorCodeOf(err);
  if (code === ErrorCode.UNKNOWN_SERVER_ERROR) ctx.log.error({ err }, 'transaction request failed');
  return code === ErrorCode.PRODUCER_FENCED && ctx.version < firstVersionWithFenced ? ErrorCode.INVALID_PRODUCER_EPOCH : code;
}
