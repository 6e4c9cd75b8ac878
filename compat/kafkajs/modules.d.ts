// Type declarations for the untyped codec packages used with kafkajs.
declare module 'kafkajs-snappy' {
  const SnappyCodec: () => { compress(encoder: { buffer: Buffer }): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> };
  export default SnappyCodec;
}

declare module 'lz4js' {
  export function compress(src: Uint8Array): Uint8Array;
  export function decompress(src: Uint8Array): Uint8Array;
}
