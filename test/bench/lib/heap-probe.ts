// Loaded into a broker under measurement (`node --import tsx --import heap-probe.ts`) by
// gc-load.ts --heap-profile: SIGUSR2 starts V8's sampling heap profiler, counting objects that the
// garbage collector has already freed too (so the profile is allocation, not what is live; with
// CREEK_HEAP_PROFILE_PROMOTED=1 leaving out what scavenges freed, so what outlived the young generation), and
// the next SIGUSR2 writes the profile to $CREEK_HEAP_PROFILE. Every 10 ms while sampling it
// prints the external memory (ArrayBuffer backing stores) V8 counts, to stdout beside --trace-gc.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { getHeapStatistics } from 'node:v8';

const out = process.env.CREEK_HEAP_PROFILE;
const session = new Session();
session.connect();
let sampling = false;
let ticker: NodeJS.Timeout | undefined;

function post(method: string, params: object = {}): Promise<unknown> {
  return new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
}

process.on('SIGUSR2', () => {
  if (!sampling) {
    sampling = true;
    void post('HeapProfiler.startSampling', { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: process.env.CREEK_HEAP_PROFILE_PROMOTED !== '1' });
    ticker = setInterval(() => {
      const external = getHeapStatistics().external_memory;
      process.stdout.write(`[probe] ${performance.now().toFixed(0)} ms: external ${(external / 1048576).toFixed(1)} MB, arrayBuffers ${(process.memoryUsage().arrayBuffers / 1048576).toFixed(1)} MB\n`);
    }, 10);
    return;
  }
  clearInterval(ticker);
  void post('HeapProfiler.stopSampling').then((result) => {
    if (out) writeFileSync(out, JSON.stringify((result as { profile: unknown }).profile));
    process.stdout.write('[probe] heap profile written\n');
  });
});
