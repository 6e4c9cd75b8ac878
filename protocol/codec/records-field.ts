// The value of a `records` field. Decoding yields one Buffer sliced from the frame (no copy);
// encoders also take a list of stored batch buffers, written as is (vectored, no copy).
export type Records = Buffer | Buffer[] | null;
