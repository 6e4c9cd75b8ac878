// The problems a configuration function refuses with (its ConfigError), for config tests.
import { ConfigError } from '../../src/config/config-error.js';

export function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}
