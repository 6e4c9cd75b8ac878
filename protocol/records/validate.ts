// Framing and sanity checks for record batches as they arrive: split a buffer into batches
// without copying, and validate one batch's magic, length, CRC and record count before it is
// stored. Throws ProtocolError subclasses that carry the Kafka error code to answer with.
import {
  BATCH_HEADER_SIZE,
  Compression,
  LOG_OVERHEAD,
  MIN_BATCH_LENGTH,
  OFFSET,
  compressionOf,
  computeBatchCrc,
  readBatchHeader,
  type BatchHeader,
} from './batch-header.js';
import { CorruptRecordError, InvalidRecordError, UnsupportedMessageFormatError } from './errors.js';

export const CURRENT_MAGIC = 2;
/** Smallest encoded record: length, attributes, timestampDelta, offsetDelta, key, value, header count. */
export const MIN_RECORD_SIZE = 7;

export interface ValidatedBatch {
  header: BatchHeader;
  /** Bytes the batch occupies from its first byte: LOG_OVERHEAD + batchLength. */
  size: number;
}

export interface ValidateOptions {
  /** Check the CRC-32C (default true). */
  verifyCrc?: boolean;
  /** Also apply produce rules: at least one record, and lastOffsetDelta + 1 === recordCount. */
  forProduce?: boolean;
}

/** Validates the batch at the start of `buf` (bytes after it are ignored). */
export function validateBatch(buf: Buffer, options: ValidateOptions = {}): ValidatedBatch {
  // Legacy message sets keep the magic byte at the same offset, so it can be read first.
  if (buf.length <= OFFSET.magic) {
    throw new CorruptRecordError(`truncated batch: ${buf.length} bytes, the header alone needs ${BATCH_HEADER_SIZE}`);
  }
  const magic = buf.readInt8(OFFSET.magic);
  if (magic === 0 || magic === 1) {
    throw new UnsupportedMessageFormatError(
      `legacy message format (magic ${magic}) is unsupported: only record batches with magic ${CURRENT_MAGIC} are accepted`,
    );
  }
  if (magic !== CURRENT_MAGIC) throw new CorruptRecordError(`unknown magic byte ${magic}`);

  const batchLength = buf.readInt32BE(OFFSET.batchLength);
  if (batchLength < MIN_BATCH_LENGTH) {
    throw new CorruptRecordError(`batch length ${batchLength} is below the minimum of ${MIN_BATCH_LENGTH}`);
  }
  const size = LOG_OVERHEAD + batchLength;
  if (size > buf.length) throw new CorruptRecordError(`truncated batch: it declares ${size} bytes, ${buf.length} present`);

  if (options.verifyCrc !== false) {
    const stored = buf.readUInt32BE(OFFSET.crc);
    const computed = computeBatchCrc(buf);
    if (stored !== computed) {
      throw new CorruptRecordError(`CRC mismatch: batch says 0x${hex(stored)}, content gives 0x${hex(computed)}`);
    }
  }

  const header = readBatchHeader(buf);
  const codec = compressionOf(header.attributes);
  if (codec > Compression.Zstd) throw new CorruptRecordError(`unknown compression codec ${codec}`);
  if (header.recordCount < 0) throw new CorruptRecordError(`negative record count ${header.recordCount}`);
  if (codec === Compression.None && header.recordCount * MIN_RECORD_SIZE > size - BATCH_HEADER_SIZE) {
    throw new CorruptRecordError(`${header.recordCount} records cannot fit in ${size - BATCH_HEADER_SIZE} bytes`);
  }
  if (options.forProduce) checkProduceRules(header);
  return { header, size };
}

function checkProduceRules(header: BatchHeader): void {
  if (header.recordCount === 0) throw new InvalidRecordError('a produced batch must hold at least one record');
  if (header.lastOffsetDelta + 1 !== header.recordCount) {
    throw new InvalidRecordError(
      `inconsistent batch: lastOffsetDelta ${header.lastOffsetDelta} does not match record count ${header.recordCount}`,
    );
  }
}

const hex = (n: number): string => n.toString(16).padStart(8, '0');

export interface SplitOptions {
  /** Throw on a partial trailing batch instead of stopping before it (a produce request must hold whole batches). */
  strict?: boolean;
}

/**
 * Splits concatenated batches into zero-copy subarrays. A partial batch at the end (as a fetch
 * response may carry) ends the list unless `strict` is set. Only framing is checked here.
 */
export function splitBatches(buf: Buffer, options: SplitOptions = {}): Buffer[] {
  const batches: Buffer[] = [];
  let at = 0;
  while (buf.length - at >= LOG_OVERHEAD) {
    const length = buf.readInt32BE(at + OFFSET.batchLength);
    if (length < 0) throw new CorruptRecordError(`negative batch length ${length} at byte ${at}`);
    const end = at + LOG_OVERHEAD + length;
    if (end > buf.length) break;
    batches.push(buf.subarray(at, end));
    at = end;
  }
  if (options.strict && at !== buf.length) {
    throw new CorruptRecordError(`${buf.length - at} trailing bytes do not form a whole batch`);
  }
  return batches;
}
