// Assertions for scenarios: each failure message says what was expected and what came back, so a
// FAIL line explains itself.
import { isDeepStrictEqual } from 'node:util';

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export function equal<T>(actual: T, expected: T, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new Error(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** Awaits a promise that must reject; returns the rejection. */
export async function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error(`${what}: expected an error, but it succeeded`);
}

/** Polls `probe` until it returns a value other than undefined, or fails with `what` when the signal aborts. */
export async function eventually<T>(signal: AbortSignal, what: string, probe: () => Promise<T | undefined> | T | undefined, intervalMs = 100): Promise<T> {
  let lastError: unknown;
  while (!signal.aborted) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await sleep(intervalMs, signal).catch(() => undefined);
  }
  throw new Error(`${what} never happened${lastError ? ` (last error: ${describeError(lastError)})` : ''}`);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('aborted'));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const text = `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`;
  // Clients wrap the broker's answer in aggregate errors: show the first cause too.
  const nested = (err as { errors?: unknown }).errors;
  return Array.isArray(nested) && nested.length > 0 ? `${text} (${describeError(nested[0])})` : text;
}

function show(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  return text === undefined ? String(value) : text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
