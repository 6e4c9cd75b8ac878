// The error the log engine throws: a message plus the Kafka error code the API layer answers with.
import { ErrorCode } from '../../protocol/errors.js';

export class LogError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'LogError';
  }
}

export const offsetOutOfRange = (offset: number, start: number, end: number): LogError =>
  new LogError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${offset} is outside the log range [${start}, ${end}]`);

export const corruptMessage = (reason: string): LogError => new LogError(ErrorCode.CORRUPT_MESSAGE, reason);

export const storageError = (reason: string): LogError => new LogError(ErrorCode.KAFKA_STORAGE_ERROR, reason);
