// Why a record batch was refused, each carrying the Kafka error code the broker answers with.
import { ProtocolError } from '../protocol-error.js';
import { ErrorCode } from '../errors.js';

/** Bytes that fail the CRC, lie about lengths, or do not parse: CORRUPT_MESSAGE. */
export class CorruptRecordError extends ProtocolError {
  readonly errorCode: number = ErrorCode.CORRUPT_MESSAGE;
  constructor(message: string) {
    super(message);
    this.name = 'CorruptRecordError';
  }
}

/** Decompressed data would exceed the allowed size (a decompression bomb or a misconfiguration). */
export class DecompressionLimitError extends CorruptRecordError {
  constructor(codec: string, maxSize: number) {
    super(`${codec}: decompressed data would exceed the limit of ${maxSize} bytes`);
    this.name = 'DecompressionLimitError';
  }
}

/** Legacy message sets (magic 0 and 1): UNSUPPORTED_FOR_MESSAGE_FORMAT. */
export class UnsupportedMessageFormatError extends ProtocolError {
  readonly errorCode: number = ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT;
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedMessageFormatError';
  }
}

/** A well-formed batch that breaks a produce rule (e.g. offsets vs record count): INVALID_RECORD. */
export class InvalidRecordError extends ProtocolError {
  readonly errorCode: number = ErrorCode.INVALID_RECORD;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRecordError';
  }
}
