// Start-up (spawn of `node dist/src/cli.js` to the first accepted connection) and idle RSS, for a
// memory and a disk broker; the median of several starts.
import { sleep } from '../lib/stats.js';
import { startBroker, type BenchContext } from './context.js';

export async function startupScenario(ctx: BenchContext): Promise<void> {
  for (const memory of [true, false]) {
    const starts: number[] = [];
    let rss = 0;
    for (let i = 0; i < (ctx.quick ? 3 : 5); i++) {
      const broker = await startBroker(ctx, `startup-${memory ? 'memory' : 'disk'}-${i}`, { memory });
      starts.push(broker.startupMs);
      await sleep(500);
      rss = Math.max(rss, broker.rssMb());
      await broker.stop();
    }
    starts.sort((a, b) => a - b);
    const scenario = `start-up, ${memory ? '--memory' : 'disk (empty data dir)'}`;
    ctx.results.add('startup', { scenario, metric: 'spawn to first accepted connection (median)', value: starts[Math.floor(starts.length / 2)]!, unit: 'ms', target: { text: '< 300 ms', met: (f) => f.value < 300 } });
    ctx.results.add('startup', { scenario, metric: 'idle RSS', value: rss, unit: 'MiB', target: { text: '< 100 MB', met: (f) => f.value * 1.048576 < 100 } });
  }
}
