#!/usr/bin/env node
// The `creek` command: with no subcommand it runs the broker (src/cli/serve.ts); `topic`,
// `produce`, `consume` and `group` are client tools for any Kafka (src/cli/<group>.ts).
import { packageVersion } from './cli/version.js';

const [command, ...rest] = process.argv.slice(2);

async function main(): Promise<void> {
  switch (command) {
    case '--version':
    case '-V':
      console.log(packageVersion());
      return;
    default: {
      const { serve } = await import('./cli/serve.js');
      await serve(process.argv.slice(2));
    }
  }
}

main().catch((err: unknown) => {
  console.error('creek: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
