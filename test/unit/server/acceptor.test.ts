// The acceptor takes connections one at a time in arrival order; a wait holds the connection and
// those arriving behind it (up to the backlog, beyond which they are closed), skipping the ones
// their clients closed meanwhile.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Acceptor } from '../../../src/server/acceptor.js';

class FakeSocket extends EventEmitter {
  destroyed = false;
  paused = false;
  constructor(readonly id: number) {
    super();
  }
  pause(): this {
    this.paused = true;
    return this;
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Acceptor', () => {
  it('waits out each delay before taking a connection, holding the later ones in arrival order up to the backlog', () => {
    const delays = [0, 100, 0, 50, 0, 0];
    const admitted: number[] = [];
    const overflowed: number[] = [];
    const acceptor = new Acceptor(
      {
        acceptDelay: () => delays.shift() ?? 0,
        admit: (s) => admitted.push((s as unknown as FakeSocket).id),
        overflow: (s) => overflowed.push((s as unknown as FakeSocket).id),
        waiting: () => undefined,
      },
      3,
    );
    const sockets = Array.from({ length: 7 }, (_, i) => new FakeSocket(i));
    const arrive = (i: number): void => acceptor.arrived(sockets[i] as unknown as Socket);
    arrive(0);
    expect(admitted).toEqual([0]);
    // 1 waits 100 ms; 2, 3 and 4 wait behind it, 5 finds the backlog full; 3 closes meanwhile.
    for (const i of [1, 2, 3, 4, 5]) arrive(i);
    sockets[3]!.destroyed = true;
    expect(admitted).toEqual([0]);
    expect(overflowed).toEqual([5]);
    expect(sockets[1]!.paused && sockets[4]!.paused).toBe(true);
    // A client resetting a held connection is no error.
    expect(() => sockets[2]!.emit('error', new Error('reset'))).not.toThrow();
    vi.advanceTimersByTime(99);
    expect(admitted).toEqual([0]);
    vi.advanceTimersByTime(1);
    // 1, then 2 (no wait); 4 waits 50 ms.
    expect(admitted).toEqual([0, 1, 2]);
    expect(sockets[2]!.listenerCount('error')).toBe(0);
    arrive(6);
    vi.advanceTimersByTime(50);
    expect(admitted).toEqual([0, 1, 2, 4, 6]);
  });

  it('hands back the held connections when stopped, and waits no more', () => {
    const admitted: number[] = [];
    const acceptor = new Acceptor({ acceptDelay: () => 100, admit: (s) => admitted.push((s as unknown as FakeSocket).id), overflow: () => undefined, waiting: () => undefined }, 5);
    const sockets = [new FakeSocket(0), new FakeSocket(1)];
    for (const s of sockets) acceptor.arrived(s as unknown as Socket);
    expect(acceptor.stop()).toEqual(sockets);
    vi.advanceTimersByTime(1000);
    expect(admitted).toEqual([]);
  });
});
