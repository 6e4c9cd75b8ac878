// The Kafka error code a piece of work fails with (KafkaError, LogError), or undefined when it succeeds.
export async function errorCodeOf(work: Promise<unknown> | (() => unknown)): Promise<number | undefined> {
  try {
    await (typeof work === 'function' ? work() : work);
    return undefined;
  } catch (err) {
    return (err as { errorCode?: number }).errorCode;
  }
}
