// Public API of protocol/records: record batch v2 framing, records, compression, control records.
export * from './batch-header.js';
export * from './errors.js';
export * from './varint.js';
export * from './compression.js';
export type { SnappyFraming } from './snappy.js';
export * from './validate.js';
export * from './records.js';
export * from './control.js';
export * from './rebuild.js';
export * from './count-records.js';
