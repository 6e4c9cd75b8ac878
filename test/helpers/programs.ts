// Programs some tests need beyond Node.js and npm: kcat, Debian's Python Kafka clients, openssl
// and keytool. A test file asks here before it uses one. When it is missing the answer is "skip",
// and the reason, with the command that installs it, is printed once per test file. With
// CREEK_TEST_REQUIRE_ALL=1 (set by CI) a missing program fails the test file instead, so a CI run
// never skips quietly.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** How to install each program the tests use; README "Tests" lists the same. */
const INSTALL: Record<string, string> = {
  kcat: 'bash compat/setup.sh',
  openssl: 'apt-get install openssl',
  keytool: 'apt-get install openjdk-17-jre-headless',
  'python3 with kafka': 'bash compat/setup.sh',
  'python3 with confluent_kafka': 'bash compat/setup.sh',
};

const STRICT = process.env.CREEK_TEST_REQUIRE_ALL === '1';
const reported = new Set<string>();

function executableOnPath(name: string): string[] {
  const found: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      found.push(file);
    } catch {
      // not in this directory
    }
  }
  return found;
}

/** Prints why tests are skipped (once per program and file), or throws when CI requires everything. */
export function missing(what: string, why: string, install = INSTALL[what]): true {
  const reason = `${what}: ${why}; install with: ${install ?? '(see README "Tests")'}`;
  if (STRICT) throw new Error(`CREEK_TEST_REQUIRE_ALL=1 but ${reason}`);
  if (!reported.has(what)) {
    reported.add(what);
    console.warn(`skipping the tests that need ${reason}`);
  }
  return true;
}

/** True when `name` is not on PATH: the caller skips the tests that run it (`it.skipIf(...)`). */
export function requireProgram(name: string, options: { install?: string } = {}): boolean {
  if (executableOnPath(name).length > 0) return false;
  return missing(name, 'not found on PATH', options.install);
}

export interface PythonModule {
  /** True when no python3 on PATH can import the module: skip the tests that use it. */
  skip: boolean;
  /** The first python3 on PATH that imports the module (pyenv's shims often lack Debian's packages). */
  python: string;
}

/** Finds a python3 on PATH that can `import module` (kafka for kafka-python, confluent_kafka). */
export function requirePythonModule(module: string, options: { install?: string } = {}): PythonModule {
  for (const python of executableOnPath('python3')) {
    if (spawnSync(python, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 30_000 }).status === 0) return { skip: false, python };
  }
  return { skip: missing(`python3 with ${module}`, `no python3 on PATH can import ${module}`, options.install), python: 'python3' };
}
