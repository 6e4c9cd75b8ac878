// What a client contributes to the suite: scenarios (one per feature it covers), the features it
// has no API for (with the reason, shown in the matrix), and a check that it is installed.
import type { Feature } from './features.js';

export interface ScenarioContext {
  /** "host:port" of the broker under test. */
  readonly bootstrap: string;
  /** Aborted when the scenario times out: pass it to child processes, stop loops on it. */
  readonly signal: AbortSignal;
  /** A topic (or group) name unique to this scenario and run: `compat-<client>-<feature>-<suffix>-<run>`. */
  name(suffix?: string): string;
  /** Registers cleanup (closing clients) run after the scenario, also when it timed out. */
  defer(cleanup: () => unknown): void;
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
}
