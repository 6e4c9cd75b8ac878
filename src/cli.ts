#!/usr/bin/env node
// The `creek` command: with no subcommand it runs the broker (src/cli/serve.ts); `topic`,
// `produce`, `consume` and `group` are client tools for any Kafka (src/cli/<group>.ts); `cluster`
// runs a local cluster of brokers on etcd for development (src/cli/cluster.ts).
import { packageVersion } from './cli/version.js';

const [command, ...rest] = process.argv.slice(2);

/** Client subcommands: the module under src/cli/ and its exported entry point. */
const SUBCOMMANDS: Record<string, () => Promise<(argv: string[]) => Promise<void>>> = {
  topic: async () => (await import('./cli/topic.js')).topicCommand,
  produce: async () => (await import('./cli/produce.js')).produceCommand,
  consume: async () => (await import('./cli/consume.js')).consumeCommand,
  group: async () => (await import('./cli/group.js')).groupCommand,
  cluster: async () => (await import('./cli/cluster.js')).clusterCommand,
};

/** Runs a client subcommand: its failure is one line on stderr and a non-zero exit code. */
async function runSubcommand(load: () => Promise<(argv: string[]) => Promise<void>>): Promise<void> {
  const { asFailure, printFailure } = await import('./cli/failure.js');
  // A reader that went away (`creek consume T | head`) ends the command quietly, as it ends kcat:
  // through the command's own SIGTERM handling when it has one (consume leaves its group cleanly).
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    if (process.listenerCount('SIGTERM') > 0) process.emit('SIGTERM', 'SIGTERM');
    else process.exit(0);
  });
  try {
    await (await load())(rest);
    process.exitCode = 0;
  } catch (err) {
    const failure = asFailure(err);
    printFailure(failure);
    process.exitCode = failure.exitCode;
  }
}

async function main(): Promise<void> {
  switch (command) {
    case '--version':
    case '-V':
      console.log(packageVersion());
      return;
    case 'topic':
    case 'produce':
    case 'consume':
    case 'group':
    case 'cluster':
      return runSubcommand(SUBCOMMANDS[command]!);
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
