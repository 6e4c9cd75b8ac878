// The one error type the protocol layer throws for bytes it cannot accept:
// truncated input, lengths past the end of the buffer, invalid values.
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}
