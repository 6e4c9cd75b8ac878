// Loopback ports no one listens on now, for listeners whose addresses must be known before they
// bind (a cluster member registers its address first).
import { createServer } from 'node:net';

export function freeLoopbackPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Whether nothing listens on `port` now. */
export function loopbackPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** The first of `count` consecutive ports that are all free now (for brokers on consecutive ports: `creek cluster --port 0`). */
export async function consecutiveFreeLoopbackPorts(count: number, host = '127.0.0.1'): Promise<number> {
  for (;;) {
    const first = 20000 + Math.floor(Math.random() * (60000 - count - 20000));
    const ports = Array.from({ length: count }, (_, i) => first + i);
    if ((await Promise.all(ports.map((p) => loopbackPortFree(p, host)))).every(Boolean)) return first;
  }
}
