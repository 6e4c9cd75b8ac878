// Programs some tests need beyond Node.js and npm: kcat, Debian's Python Kafka clients, openssl,
// keytool, chromium, etcd and util-linux's script. A test file asks here before it uses one. When it is missing the answer is "skip",
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
  'python3 with confluent_kafka.schema_registry': 'apt-get install python3-confluent-kafka python3-requests',
  chromium: 'apt-get install chromium',
  etcd: 'apt-get install etcd-server',
  script: 'apt-get install bsdutils',
  ss: 'apt-get install iproute2',
};

const STRICT = process.env.CREEK_TEST_REQUIRE_ALL === '1';
const reported = new Set<string>();

/** Where `name` is: every match on PATH, or the file itself when it is a path. */
function executableOnPath(name: string): string[] {
  if (name.includes('/')) return isExecutable(name) ? [name] : [];
  return (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '').map((dir) => join(dir, name)).filter(isExecutable);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
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

/** True when `name` (a command, or a path) is not on PATH: the caller skips the tests that run it (`it.skipIf(...)`). */
export function requireProgram(name: string, options: { install?: string } = {}): boolean {
  if (executableOnPath(name).length > 0) return false;
  return missing(name, name.includes('/') ? 'not an executable file' : 'not found on PATH', options.install);
}

/** The first `name` on PATH, for a caller that needs its full path; call requireProgram first. */
export function programPath(name: string): string {
  const found = executableOnPath(name)[0];
  if (found === undefined) throw new Error(`${name} not found on PATH`);
  return found;
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
