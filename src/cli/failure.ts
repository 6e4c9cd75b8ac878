// How the client subcommands fail: one line on stderr naming the Kafka error (or the connection
// problem) with a hint, and an exit code scripts can rely on: 1 for a failure, 2 for bad usage.
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class CliFailure extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = EXIT_FAILURE,
  ) {
    super(message);
  }
}

/** Bad arguments: exit code 2 and a pointer to the command's help. */
export function usageError(message: string, command: string): CliFailure {
  return new CliFailure(message, `see creek ${command} --help`, EXIT_USAGE);
}

const HINTS: Record<string, string> = {
  UNKNOWN_TOPIC_OR_PARTITION: 'list topics with `creek topic list`, or create it with `creek topic create NAME`',
  TOPIC_ALREADY_EXISTS: 'pick another name, or delete it first with `creek topic delete NAME`',
  INVALID_PARTITIONS: 'the partition count must be at least 1',
  INVALID_REPLICATION_FACTOR: 'the replication factor cannot exceed the number of brokers',
  INVALID_CONFIG: 'check the key and value against Kafka\'s topic configs',
  INVALID_TOPIC_EXCEPTION: 'topic names use letters, digits, ".", "_" and "-", at most 249 characters',
  GROUP_ID_NOT_FOUND: 'list groups with `creek group list`',
  NON_EMPTY_GROUP: 'stop the group\'s consumers first',
  TOPIC_AUTHORIZATION_FAILED: 'the principal lacks an ACL for this topic',
  GROUP_AUTHORIZATION_FAILED: 'the principal lacks an ACL for this group',
  RECORD_LIST_TOO_LARGE: 'the record exceeds max.message.bytes',
  MESSAGE_TOO_LARGE: 'the record exceeds max.message.bytes',
  INVALID_RECORD: 'a compacted topic needs a key on every record (produce with --key-separator)',
  NOT_ENOUGH_REPLICAS: 'fewer in-sync replicas than min.insync.replicas; try --acks 1',
};

interface KafkaLikeError {
  name?: string;
  message?: string;
  type?: string;
  code?: string;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown[];
  groups?: { error?: unknown }[];
  topicErrors?: unknown[];
}

/** The Kafka error name carried anywhere in a kafkajs error (retries and aggregates wrap it). */
function kafkaErrorOf(err: unknown, depth = 0): KafkaLikeError | undefined {
  if (err === null || typeof err !== 'object' || depth > 6) return undefined;
  const e = err as KafkaLikeError;
  if (typeof e.type === 'string' && /^[A-Z_]+$/.test(e.type)) return e;
  for (const inner of [e.originalError, e.cause, ...(e.errors ?? []), ...(e.topicErrors ?? []), ...(e.groups ?? []).map((g) => g.error)]) {
    const found = kafkaErrorOf(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function isConnectionError(err: unknown, depth = 0): boolean {
  if (err === null || typeof err !== 'object' || depth > 6) return false;
  const e = err as KafkaLikeError;
  if (e.name === 'KafkaJSConnectionError' || e.name === 'KafkaJSConnectionClosedError' || e.name === 'KafkaJSRequestTimeoutError') return true;
  if (typeof e.code === 'string' && /^E(CONNREFUSED|HOSTUNREACH|NOTFOUND|AI_AGAIN|TIMEDOUT|CONNRESET)$/.test(e.code)) return true;
  return [e.originalError, e.cause].some((inner) => isConnectionError(inner, depth + 1));
}

/** Turns whatever a command threw into the one line it prints; `bootstrap` names the address in connection failures. */
export function asFailure(err: unknown, bootstrap?: string): CliFailure {
  if (err instanceof CliFailure) return err;
  const kafka = kafkaErrorOf(err);
  if (kafka !== undefined) return new CliFailure(`${kafka.type}: ${kafka.message ?? ''}`.trim(), HINTS[kafka.type!]);
  if (isConnectionError(err)) {
    return new CliFailure(`cannot reach a broker at ${bootstrap ?? 'the bootstrap address'}: ${(err as Error).message}`, 'is a broker running there? pass --bootstrap HOST:PORT');
  }
  return new CliFailure(err instanceof Error ? err.message : String(err));
}

export function printFailure(failure: CliFailure): void {
  process.stderr.write(`creek: ${failure.message}${failure.hint ? ` (hint: ${failure.hint})` : ''}\n`);
}

/** Runs a command's Kafka work, reporting its errors against `bootstrap`. */
export async function talkingTo<T>(bootstrap: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw asFailure(err, bootstrap);
  }
}
