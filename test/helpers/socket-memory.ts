// The kernel's buffer sizes of TCP connections, as `ss -tm` reports them (skmem's tb and rb: the
// send and receive buffer sizes; Linux reports twice the size asked for, socket(7)). Tests that use
// it skip when ss is missing: requireProgram('ss', { install: 'apt-get install iproute2' }).
import { execFileSync } from 'node:child_process';

export interface SocketBufferSizes {
  sendBytes: number;
  receiveBytes: number;
}

/** Each established TCP connection matching an ss filter, e.g. `( sport = :9092 and dport = :41234 )`: its local side's buffer sizes. */
export function socketBufferSizes(filter: string): SocketBufferSizes[] {
  const out = execFileSync('ss', ['-tmnH', 'state', 'established', filter]).toString();
  // Each connection is a line of addresses followed by its skmem:(...) (on the next line with some versions).
  return [...out.matchAll(/skmem:\(([^)]*)\)/g)].map(([, skmem]) => ({
    sendBytes: Number(/\btb(\d+)/.exec(skmem!)?.[1]),
    receiveBytes: Number(/\brb(\d+)/.exec(skmem!)?.[1]),
  }));
}
