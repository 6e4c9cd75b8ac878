// Brokers started together and measured in turn (Creek and Kafka side by side, or one core set
// and another): while one is measured the others are stopped (SIGSTOP) and resumed (SIGCONT)
// afterwards. An idle broker is not quiet: an idle Kafka JVM used 2–6% of the shared core in a
// latency point of the other broker (its collections, compilations and timers), in bursts that
// showed as stalls in that broker's p99. Stopped, neither can take the core from the other, and
// each finds its own pending timers when it resumes, at the start of its own turn.
export interface Started {
  pid: number;
}

/** Runs `measure` with every process of `all` but `measured` stopped; resumes them whatever happens. */
export async function alone<T>(measured: Started, all: readonly Started[], measure: () => Promise<T>): Promise<T> {
  const others = all.filter((p) => p.pid !== measured.pid);
  for (const p of others) process.kill(p.pid, 'SIGSTOP');
  try {
    return await measure();
  } finally {
    for (const p of others) process.kill(p.pid, 'SIGCONT');
  }
}
