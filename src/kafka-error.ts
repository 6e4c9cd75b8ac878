// A failure the broker answers with a Kafka error code (and, where the API has one, a message).
import { ErrorCode } from '../protocol/errors.js';

export class KafkaError extends Error {
  constructor(
    readonly errorCode: number,
    message?: string,
  ) {
    super(message ?? `Kafka error ${errorCode}`);
    this.name = 'KafkaError';
  }
}

/** The Kafka error code carried by an error (KafkaError, LogError), else UNKNOWN_SERVER_ERROR. */
export function errorCodeOf(err: unknown): number {
  const code = (err as { errorCode?: unknown } | null)?.errorCode;
  return typeof code === 'number' ? code : ErrorCode.UNKNOWN_SERVER_ERROR;
}

/** The message to put in an error_message field, or null when there is none to tell. */
export function errorMessageOf(err: unknown): string | null {
  return err instanceof Error ? err.message : null;
}
