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

/** The Kafka error name (UNKNOWN_TOPIC_OR_PARTITION, …) carried anywhere in a kafkajs error, if any. */
export function kafkaErrorName(err: unknown): string | undefined {
  return kafkaErrorOf(err)?.type;
}

function isSaslFailure(err: unknown, depth = 0): boolean {
  if (err === null || typeof err !== 'object' || depth > 6) return false;
  const e = err as KafkaLikeError;
  return e.name === 'KafkaJSSASLAuthenticationError' || [e.originalError, e.cause].some((inner) => isSaslFailure(inner, depth + 1));
}

/** The first Node error code (`ECONNREFUSED`, `SELF_SIGNED_CERT_IN_CHAIN`, …) in a kafkajs error or what it wraps. */
function errorCode(err: unknown, depth = 0): string | undefined {
  if (err === null || typeof err !== 'object' || depth > 6) return undefined;
  const e = err as KafkaLikeError;
  if (typeof e.code === 'string') return e.code;
  return errorCode(e.originalError, depth + 1) ?? errorCode(e.cause, depth + 1);
}

/** What to do about a failed TLS handshake: the broker's certificate did not verify, or the broker wanted the client's. */
function tlsHint(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  if (/^(CERT_|ERR_TLS_CERT_|SELF_SIGNED|DEPTH_ZERO_SELF_SIGNED|UNABLE_TO_)/.test(code)) {
    return "the broker's certificate is not trusted: pass its CA with -X ssl.ca.location=FILE (or ssl.truststore.location)";
  }
  if (/ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|HANDSHAKE_FAILURE)$/.test(code)) {
    return 'the broker wants a client certificate it trusts: pass -X ssl.certificate.location=FILE and ssl.key.location=FILE (or ssl.keystore.location)';
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
  // kafkajs reports a refused login without the error's name (SaslAuthenticate's error code 58).
  if (isSaslFailure(err)) return new CliFailure(`SASL_AUTHENTICATION_FAILED: ${(err as Error).message}`, 'check sasl.mechanism, sasl.username and sasl.password');
  if (isConnectionError(err)) {
    // What most likely went wrong: a TLS handshake refused either way, a listener that closed on a plain request (it wants SASL or TLS), or nothing listening.
    const hint = tlsHint(errorCode(err))
      ?? ((err as Error).message === 'Closed connection'
        ? 'the broker closed the connection: if its listener uses SASL or TLS, pass -X security.protocol=SASL_PLAINTEXT|SSL|SASL_SSL and its settings'
        : 'is a broker running there? pass --bootstrap HOST:PORT');
    return new CliFailure(`cannot reach a broker at ${bootstrap ?? 'the bootstrap address'}: ${(err as Error).message}`, hint);
  }
  return new CliFailure(err instanceof Error ? err.message : String(err));
}

export function printFailure(failure: CliFailure): void {
  // One line whatever the message holds (OpenSSL's errors carry line breaks).
  const message = failure.message.replace(/\s*\n\s*/g, ' ').trim();
  process.stderr.write(`creek: ${message}${failure.hint ? ` (hint: ${failure.hint})` : ''}\n`);
}

/** Runs a command's Kafka work, reporting its errors against `bootstrap`. */
export async function talkingTo<T>(bootstrap: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw asFailure(err, bootstrap);
  }
}
