// Runs scenarios one after another, each with its own timeout, and classifies each result
// against the known gaps.
import { setTimeout as delay } from 'node:timers/promises';
import type { Feature } from './features.js';
import type { KnownGaps } from './known-gaps.js';
import type { ClientSuite, Scenario, ScenarioContext, TlsTarget } from './scenario.js';
import { describeError } from './check.js';

export type Outcome =
  | 'pass' // passed
  | 'fail' // failed, not a known gap
  | 'known-gap' // failed, listed as a known gap
  | 'gap-fixed'; // passed although listed as a known gap: the list needs pruning

export interface ScenarioResult {
  id: string;
  client: string;
  feature: Feature;
  outcome: Outcome;
  /** Why it failed (the error), for fail and known-gap. */
  error?: string;
  /** The known-gaps entry covering it, for known-gap and gap-fixed. */
  gap?: { key: string; reason: string; file: string };
  ms: number;
}

export interface RunOptions {
  bootstrap: string;
  tls: TlsTarget | undefined;
  runId: string;
  defaultTimeoutMs: number;
  knownGaps: KnownGaps;
  onResult(result: ScenarioResult): void;
}

const CLEANUP_TIMEOUT_MS = 5_000;
const ABORT_GRACE_MS = 2_000;
const TIMED_OUT = Symbol('timed out');

export async function runScenario(client: ClientSuite, scenario: Scenario, unavailable: string | undefined, options: RunOptions): Promise<ScenarioResult> {
  const id = `${client.id}/${scenario.feature}`;
  const started = Date.now();
  const error = unavailable !== undefined ? `client not available: ${unavailable}` : await attempt(client, scenario, options);
  const gap = options.knownGaps.lookup(id);
  const outcome: Outcome = error === undefined ? (gap ? 'gap-fixed' : 'pass') : gap ? 'known-gap' : 'fail';
  const result: ScenarioResult = { id, client: client.id, feature: scenario.feature, outcome, ms: Date.now() - started };
  if (error !== undefined) result.error = error;
  if (gap) result.gap = gap;
  options.onResult(result);
  return result;
}

/** Runs one scenario; resolves to undefined when it passed, or to why it failed. */
async function attempt(client: ClientSuite, scenario: Scenario, options: RunOptions): Promise<string | undefined> {
  const timeoutMs = scenario.timeoutMs ?? options.defaultTimeoutMs;
  const controller = new AbortController();
  const cleanups: (() => unknown)[] = [];
  const ctx: ScenarioContext = {
    bootstrap: options.bootstrap,
    tls: options.tls,
    signal: controller.signal,
    name: (suffix) => ['compat', client.id, scenario.feature, suffix, options.runId].filter(Boolean).join('-'),
    defer: (cleanup) => void cleanups.push(cleanup),
  };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  const ran = scenario.run(ctx).then(
    () => undefined,
    (err: unknown) => describeError(err),
  );
  let error = await Promise.race([ran, timedOut]);
  clearTimeout(timer);
  controller.abort();
  if (error === TIMED_OUT) {
    // Aborting stops the scenario's waits, which then say what they were waiting for.
    const waitingFor = await Promise.race([ran, delay(ABORT_GRACE_MS, undefined, { ref: false })]);
    error = `timed out after ${timeoutMs / 1000} s${waitingFor ? `: ${waitingFor}` : ''}`;
  }
  for (const cleanup of cleanups.reverse()) {
    await Promise.race([Promise.resolve().then(cleanup).catch(() => undefined), delay(CLEANUP_TIMEOUT_MS, undefined, { ref: false })]);
  }
  return error;
}
