// An authentication failure inside a SASL mechanism. As in Kafka, only some failures may tell the
// client why (SaslAuthenticationException); the others are answered with a generic message so an
// unauthenticated client learns nothing (such as whether a user exists).
export class SaslFailure extends Error {
  constructor(
    message: string,
    /** The message may be sent to the client as is. */
    readonly visible = false,
  ) {
    super(message);
    this.name = 'SaslFailure';
  }
}
