// How an admin request reports a failed item: a KafkaError's code and message as Kafka sends
// them; anything else is a bug, logged here and answered UNKNOWN_SERVER_ERROR without details.
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../kafka-error.js';

export interface Failure {
  errorCode: number;
  errorMessage: string | null;
}

export function failure(err: unknown, log: Logger, what: Record<string, unknown>): Failure {
  if (err instanceof KafkaError) return { errorCode: err.errorCode, errorMessage: err.message };
  log.error({ err, ...what }, 'admin request failed');
  return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null };
}
