// The Python clients run as child processes: compat/python/<script> FEATURE BOOTSTRAP NAME
// [TLS_BOOTSTRAP CA_FILE] exits
// 0 when the scenario passed, otherwise its last stderr lines say why. They use the system
// Python (/usr/bin/python3), where the Debian packages install the clients; COMPAT_PYTHON
// overrides it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild, tail } from '../lib/child.js';
import type { Feature } from '../lib/features.js';
import type { ClientSuite, Scenario } from '../lib/scenario.js';

const PYTHON = process.env.COMPAT_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const SCRIPTS = join(dirname(dirname(fileURLToPath(import.meta.url))), 'python');

export interface PythonClient extends Omit<ClientSuite, 'scenarios' | 'unavailable'> {
  script: string;
  /** The module whose import proves the client is installed. */
  module: string;
  /** Features the script implements, with longer timeouts where needed. */
  features: readonly (Feature | { feature: Feature; timeoutMs: number })[];
}

export function pythonClient(client: PythonClient): ClientSuite {
  const { script, module, features, ...suite } = client;
  const scenarios = features.map((f): Scenario => {
    const { feature, timeoutMs } = typeof f === 'string' ? { feature: f, timeoutMs: undefined } : f;
    return {
      feature,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      async run(ctx) {
        const tls = ctx.tls === undefined ? [] : [ctx.tls.bootstrap, ctx.tls.caFile];
        const r = await runChild(PYTHON, [join(SCRIPTS, script), feature, ctx.bootstrap, ctx.name(), ...tls], { signal: ctx.signal });
        if (r.code !== 0) throw new Error(tail(r.stderr, 1));
      },
    };
  });
  return {
    ...suite,
    scenarios,
    async unavailable() {
      const r = await runChild(PYTHON, ['-c', `import ${module}`], { signal: AbortSignal.timeout(20_000) }).catch((err: Error) => ({ code: -1, stderr: err.message }));
      return r.code === 0 ? undefined : `${PYTHON} cannot import ${module} (${tail(r.stderr, 1)}); run compat/setup.sh`;
    },
  };
}
