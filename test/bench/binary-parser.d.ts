// binary-parser (used by the protocol benchmark only) ships typings its package.json "exports"
// hides from NodeNext resolution; this declares the part of its API the benchmark uses.
declare module 'binary-parser' {
  export class Parser {
    constructor();
    endianness(e: 'big' | 'little'): Parser;
    int8(name: string): Parser;
    int16(name: string): Parser;
    int32(name: string): Parser;
    uint8(name: string): Parser;
    uint16(name: string): Parser;
    uint32(name: string): Parser;
    int64(name: string): Parser;
    string(name: string, options: { length: string | number; encoding?: string }): Parser;
    parse(buffer: Buffer | Uint8Array): unknown;
  }
}
