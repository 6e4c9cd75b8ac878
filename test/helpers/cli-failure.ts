// The assertion for a `creek` subcommand that must fail the way scripts rely on. Kept apart from
// cli.ts, which the benchmarks import too and so must not import vitest.
import { expect } from 'vitest';
import type { CliResult } from './cli.js';

/** A subcommand's failure: one line on stderr matching `text`, exit code `code`, nothing on stdout. */
export function expectCliFailure(r: CliResult, code: number, text: string | RegExp): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(text);
}
