// Argument parsing for the client subcommands (node:util parseArgs), with the options they share.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './failure.js';

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';

/** The help text of the security options every client subcommand takes (src/cli/client-security.ts). */
export const CONNECTION_USAGE = `Security: -X, --property key=value (repeatable) or --command-config FILE (a properties file), Kafka client keys:
  security.protocol=PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL, sasl.mechanism=PLAIN|SCRAM-SHA-256|SCRAM-SHA-512,
  sasl.username + sasl.password or sasl.jaas.config, ssl.ca.location or ssl.truststore.*, ssl.keystore.* or
  ssl.certificate.location + ssl.key.location, ssl.endpoint.identification.algorithm= (no host name check)`;

type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

/** How the client subcommands reach a cluster (src/cli/kafka-client.ts `connectTo`). */
export const CONNECTION_OPTIONS = {
  bootstrap: { type: 'string', short: 'b', default: DEFAULT_BOOTSTRAP },
  property: { type: 'string', short: 'X', multiple: true },
  'command-config': { type: 'string' },
} as const satisfies Options;

type CommandConfig<O extends Options> = { args: string[]; allowPositionals: true; strict: true; options: typeof COMMON_OPTIONS & O };

/** A subcommand's arguments (node:util parseArgs, strict, with the shared options); an unknown option or a missing value is a usage error (exit 2). */
export function parseCommand<O extends Options>(args: string[], options: O, command: string): ReturnType<typeof parseArgs<CommandConfig<O>>> {
  try {
    return parseArgs<CommandConfig<O>>({ args, allowPositionals: true, strict: true, options: { ...COMMON_OPTIONS, ...options } });
  } catch (err) {
    throw usageError((err as Error).message.split('\n')[0]!, command);
  }
}

/** `key=value` into its halves; anything else is a usage error naming the flag. */
export function keyValue(text: string, flag: string, command: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw usageError(`${flag} expects key=value, got "${text}"`, command);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/** A whole number at least `min`, or a usage error naming the flag. */
export function integer(text: string | undefined, flag: string, command: string, min = 0): number | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text) || Number(text) < min) throw usageError(`${flag} expects a whole number of at least ${min}, got "${text}"`, command);
  return Number(text);
}

/** HOST:PORT as given to --bootstrap. */
export function checkBootstrap(bootstrap: string, command: string): string {
  for (const address of bootstrap.split(',')) {
    if (!/^.+:\d{1,5}$/.test(address)) throw usageError(`--bootstrap expects HOST:PORT, got "${address}"`, command);
  }
  return bootstrap;
}
