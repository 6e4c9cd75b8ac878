// The helper that lets tests skip without an external program: it skips with the printed reason,
// finds programs on PATH, and with CREEK_TEST_REQUIRE_ALL=1 (CI) fails instead of skipping.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Asks the helper about `program` in a fresh process (it reads the environment when loaded). */
function ask(program: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const script = `import('./test/helpers/programs.ts').then((m) => console.log(JSON.stringify(m.requireProgram(${JSON.stringify(program)}))))`;
  const { CREEK_TEST_REQUIRE_ALL: _, ...rest } = process.env;
  return spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, env: { ...rest, ...env }, encoding: 'utf8' });
}

describe('requireProgram', () => {
  it('says "skip" for a program missing from PATH and prints why with the install command', () => {
    const r = ask('kcat', { PATH: '/nonexistent' });
    expect(r.stdout).toBe('true\n');
    expect(r.stderr).toBe('skipping the tests that need kcat: not found on PATH; install with: bash compat/setup.sh\n');
  });

  it('finds a program on PATH', () => {
    const r = ask('node', {});
    expect(r).toMatchObject({ status: 0, stdout: 'false\n', stderr: '' });
  });

  it('fails instead of skipping with CREEK_TEST_REQUIRE_ALL=1', () => {
    const r = ask('kcat', { PATH: '/nonexistent', CREEK_TEST_REQUIRE_ALL: '1' });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('CREEK_TEST_REQUIRE_ALL=1 but kcat: not found on PATH; install with: bash compat/setup.sh');
  });
});
