// Runs scenarios of the compat suite's Java family (compat/java: Kafka's own Java clients and Kafka
// Streams 4.4.0, one harness JVM) against a test broker, for tests that need a stock Java client.
// The family builds compat/java when its jar is stale; without java (or a build) the caller skips.
import type { ClientSuite } from '../../compat/lib/scenario.js';
import { missing } from './programs.js';

/** Undefined when the suite can run here; else prints why the tests are skipped (or throws under CREEK_TEST_REQUIRE_ALL=1) and returns the reason. */
export async function javaSuiteUnavailable(suite: ClientSuite): Promise<string | undefined> {
  const reason = await suite.unavailable();
  if (reason !== undefined) missing(`java (${suite.id})`, reason, 'bash compat/setup.sh');
  return reason;
}

/** Runs one scenario of the suite against the broker; rejects with what did not hold. */
export async function runJavaScenario(suite: ClientSuite, feature: string, bootstrap: string, timeoutMs: number): Promise<void> {
  const scenario = suite.scenarios.find((s) => s.feature === feature);
  if (!scenario) throw new Error(`${suite.id} has no scenario ${feature}`);
  const run = `${Date.now().toString(36)}`;
  const cleanups: (() => unknown)[] = [];
  try {
    await scenario.run({
      bootstrap,
      tls: undefined,
      signal: AbortSignal.timeout(timeoutMs),
      name: (suffix = 'x') => `test-${suite.id}-${feature}-${suffix}-${run}`,
      defer: (cleanup) => cleanups.push(cleanup),
    });
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}
