// Why a record batch was refused, each carrying the Kafka error code the broker answers with.
import { ProtocolError } from '../protocol-error.js';
import { ErrorCode } from '../errors.js';

/** Any refusal of a record batch; `errorCode` is what to put in the produce response. */
export class RecordBatchError extends ProtocolError {
  constructor(
    message: string,
    readonly errorCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bytes that fail the CRC, lie about lengths, or do not parse: CORRUPT_MESSAGE. */
export class CorruptRecordError extends RecordBatchError {
  constructor(message: string) {
    super(message, ErrorCode.CORRUPT_MESSAGE);
  }
}

/** Decompressed data would exceed the allowed size (a decompression bomb or a misconfiguration). */
export class DecompressionLimitError extends CorruptRecordError {
  constructor(codec: string, maxSize: number) {
    super(`${codec}: decompressed data would exceed the limit of ${maxSize} bytes`);
  }
}

/** Legacy message sets (magic 0 and 1): UNSUPPORTED_FOR_MESSAGE_FORMAT. */
export class UnsupportedMessageFormatError extends RecordBatchError {
  constructor(message: string) {
    super(message, ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
  }
}

/** A well-formed batch that breaks a produce rule (e.g. offsets vs record count): INVALID_RECORD. */
export class InvalidRecordError extends RecordBatchError {
  constructor(message: string) {
    super(message, ErrorCode.INVALID_RECORD);
  }
}
