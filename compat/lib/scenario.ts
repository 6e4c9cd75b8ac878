// What a client contributes to the suite: scenarios (one per feature it covers), the features it
// has no API for (with the reason, shown in the matrix), and a check that it is installed.
import type { Feature } from './features.js';

/** A TLS listener of the broker under test. */
export interface TlsTarget {
  /** "host:port" of the SSL listener (of every broker, comma-separated, for a cluster). */
  readonly bootstrap: string;
  /** The PEM file of the CA that signed the listener's certificate. */
  readonly caFile: string;
}

export interface ScenarioContext {
  /** "host:port" of the broker under test; for a cluster every broker's, comma-separated, as bootstrap.servers takes them. */
  readonly bootstrap: string;
  /** Its SSL listener, when the run has one (Creek started by the runner, or --tls-bootstrap). */
  readonly tls: TlsTarget | undefined;
  /** Aborted when the scenario times out: pass it to child processes, stop loops on it. */
  readonly signal: AbortSignal;
  /** A topic (or group) name unique to this scenario and run: `compat-<client>-<feature>-<suffix>-<run>`. */
  name(suffix?: string): string;
  /** Registers cleanup (closing clients) run after the scenario, also when it timed out. */
  defer(cleanup: () => unknown): void;
}

/** The "host:port" entries of a bootstrap list, for clients that take an array; sorted, to compare with what brokers advertise. */
export function servers(bootstrap: string): string[] {
  return bootstrap.split(',').sort();
}

/** The run's TLS listener; a scenario that needs one fails without it. */
export function tlsTarget(ctx: ScenarioContext): TlsTarget {
  if (ctx.tls === undefined) throw new Error('this run has no TLS listener (give --tls-bootstrap HOST:PORT and --tls-ca FILE)');
  return ctx.tls;
}

export interface Scenario {
  readonly feature: Feature;
  /** Resolves when every check held; throws an Error whose message says what did not. */
  run(ctx: ScenarioContext): Promise<void>;
  /** Overrides the runner's default timeout. */
  readonly timeoutMs?: number;
}

export interface ClientSuite {
  /** Short id used in scenario ids: kafkajs, platformatic, kcat, kafka-python, confluent-kafka. */
  readonly id: string;
  /** Name and version as shown in the matrix. */
  readonly title: string;
  /** How the suite installs it. */
  readonly source: string;
  /** Resolves to undefined when the client can run here, or to the reason it cannot. */
  unavailable(): Promise<string | undefined>;
  readonly scenarios: readonly Scenario[];
  /** Features the client has no API for, with the reason. */
  readonly notApplicable: Partial<Record<Feature, string>>;
  /** Stops what the suite keeps running across scenarios (a harness process), after the run. */
  close?(): Promise<void>;
}
