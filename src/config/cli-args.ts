// The `creek` command line: named flags, `--config FILE` (or one positional properties file, as
// kafka-server-start takes it) and repeatable `--override key=value`. Values stay strings here;
// they are checked with everything else when the configuration is resolved.
import { ConfigError } from './config-error.js';
import type { ConfigLayer } from './config-layer.js';

/** The named flags, as given (strings), before they are turned into Kafka keys. */
export interface BrokerFlags {
  host?: string;
  port?: string;
  advertisedHost?: string;
  advertisedPort?: string;
  dataDir?: string;
  memory?: boolean;
  nodeId?: string;
  logFormat?: string;
  logLevel?: string;
  httpPort?: string;
  etcd?: string;
}

export interface BrokerArgs {
  configFile?: string;
  overrides: ConfigLayer;
  flags: BrokerFlags;
}

const VALUE_FLAGS: Record<string, keyof BrokerFlags> = {
  '--host': 'host',
  '--port': 'port',
  '--advertised-host': 'advertisedHost',
  '--advertised-port': 'advertisedPort',
  '--data-dir': 'dataDir',
  '--node-id': 'nodeId',
  '--log-format': 'logFormat',
  '--log-level': 'logLevel',
  '--http-port': 'httpPort',
  '--etcd': 'etcd',
};

export const BROKER_USAGE = `Usage: creek [server.properties] [options]
  --host HOST             address to listen on (default 127.0.0.1)
  --port PORT             port to listen on (default 9092; 0 picks a free one)
  --advertised-host HOST  host given to clients (default: the listen host)
  --advertised-port PORT  port given to clients (default: the listen port)
  --data-dir DIR          log directory (default ./data)
  --memory                keep everything in memory
  --node-id ID            node id (default 1)
  --log-format FORMAT     pretty|json|auto (default auto: pretty on a terminal, else JSON)
  --log-level LEVEL       fatal|error|warn|info|debug|trace|silent (default info)
  --http-port PORT        HTTP console, /metrics and schema registry (default 8080 on
                          creek.http.host, 127.0.0.1; 0 picks a free port, -1 serves none)
  --etcd URLS             cluster mode: the etcd holding the cluster's state
                          (creek.etcd.endpoints, http(s)://host:port[,...])
  --config FILE           read a Kafka server.properties file
  --override KEY=VALUE    set any Kafka config; repeatable
Environment: CREEK_<KEY> or KAFKA_<KEY> (e.g. CREEK_NUM_PARTITIONS=3).
Precedence: defaults < config file < environment < command line.
Client commands for any Kafka: creek topic|produce|consume|group --help.   creek --version
A local cluster of brokers (on etcd, or as threads of one process to use more cores): creek cluster --help.`;

/** Parses the arguments after the command name; throws ConfigError listing every problem. */
export function parseBrokerArgs(argv: readonly string[]): BrokerArgs {
  const problems: string[] = [];
  const args: BrokerArgs = { overrides: new Map(), flags: {} };
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (flag === '--memory') {
      if (eq !== -1) problems.push('--memory takes no value');
      args.flags.memory = true;
      continue;
    }
    const takesValue = flag in VALUE_FLAGS || flag === '--config' || flag === '--override';
    if (!takesValue) {
      problems.push(`Unknown option ${flag}`);
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) {
      problems.push(`${flag} needs a value`);
    } else if (flag === '--config') {
      args.configFile = value;
    } else if (flag === '--override') {
      const sep = value.indexOf('=');
      if (sep <= 0) problems.push(`--override expects key=value, got "${value}"`);
      else args.overrides.set(value.slice(0, sep).trim(), { value: value.slice(sep + 1), origin: '--override' });
    } else {
      (args.flags as Record<string, string>)[VALUE_FLAGS[flag]!] = value;
    }
  }
  if (positionals.length > 1 || (positionals.length === 1 && args.configFile !== undefined)) {
    problems.push(`Only one config file may be given, got: ${[args.configFile, ...positionals].filter(Boolean).join(', ')}`);
  } else if (positionals.length === 1) {
    args.configFile = positionals[0]!;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return args;
}
