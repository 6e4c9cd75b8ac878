// The acceptor takes connections one at a time in arrival order; a wait (over a rate, or for a
// connection slot) holds the connection and those arriving behind it (up to the backlog, beyond
// which they are closed), skipping the ones their clients closed meanwhile.
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

const alwaysSlots = { slotAvailable: () => true, onSlotChange: () => () => undefined };

/** Connection slots as ConnectionQuotas keeps them: `free` of them, the waiting acceptors woken when one frees. */
function slots(free: number) {
  const waiters = new Set<() => void>();
  return {
    slotAvailable: () => free > 0,
    onSlotChange: (wake: () => void) => {
      waiters.add(wake);
      return () => waiters.delete(wake);
    },
    take: () => free--,
    free: () => {
      free++;
      for (const wake of [...waiters]) wake();
    },
    waiting: () => waiters.size,
  };
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
        ...alwaysSlots,
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
    const acceptor = new Acceptor({ acceptDelay: () => 100, ...alwaysSlots, admit: (s) => admitted.push((s as unknown as FakeSocket).id), overflow: () => undefined, waiting: () => undefined }, 5);
    const sockets = [new FakeSocket(0), new FakeSocket(1)];
    for (const s of sockets) acceptor.arrived(s as unknown as Socket);
    expect(acceptor.stop()).toEqual(sockets);
    vi.advanceTimersByTime(1000);
    expect(admitted).toEqual([]);
  });

  it('holds a connection while no slot is free, then takes it and the backlog in order once slots free, after any rate wait', () => {
    const slot = slots(1);
    const delays = [0, 0, 0, 100, 100];
    const admitted: number[] = [];
    const overflowed: number[] = [];
    const acceptor = new Acceptor(
      {
        acceptDelay: () => delays.shift() ?? 0,
        slotAvailable: slot.slotAvailable,
        onSlotChange: slot.onSlotChange,
        admit: (s) => {
          slot.take();
          admitted.push((s as unknown as FakeSocket).id);
        },
        overflow: (s) => overflowed.push((s as unknown as FakeSocket).id),
        waiting: () => undefined,
      },
      2,
    );
    const sockets = Array.from({ length: 8 }, (_, i) => new FakeSocket(i));
    const arrive = (i: number): void => acceptor.arrived(sockets[i] as unknown as Socket);
    for (const i of [0, 1, 2, 3, 4]) arrive(i);
    // 1 waits for a slot, 2 and 3 behind it; 4 finds the backlog full. Time alone frees nothing.
    expect(admitted).toEqual([0]);
    expect(overflowed).toEqual([4]);
    expect(sockets[1]!.paused).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(admitted).toEqual([0]);
    // A client that gave up on its held connection leaves room in the backlog.
    sockets[2]!.destroyed = true;
    arrive(5);
    expect(overflowed).toEqual([4]);
    slot.free();
    expect(admitted).toEqual([0, 1]);
    expect(sockets[1]!.listenerCount('error')).toBe(0);
    // 3 comes next (2 was closed) and waits for a slot in turn.
    expect(admitted).toEqual([0, 1]);
    slot.free();
    expect(admitted).toEqual([0, 1, 3]);
    // 5 is over the rate: a slot freed meanwhile does not cut its wait short.
    slot.free();
    vi.advanceTimersByTime(99);
    expect(admitted).toEqual([0, 1, 3]);
    vi.advanceTimersByTime(1);
    expect(admitted).toEqual([0, 1, 3, 5]);
    // 6 waits out the rate, then for a slot.
    arrive(6);
    vi.advanceTimersByTime(100);
    expect(admitted).toEqual([0, 1, 3, 5]);
    expect(slot.waiting()).toBe(1);
    slot.free();
    expect(admitted).toEqual([0, 1, 3, 5, 6]);
    expect(slot.waiting()).toBe(0);
    // With a slot free and no rate wait, a new connection is taken at once.
    slot.free();
    arrive(7);
    expect(admitted).toEqual([0, 1, 3, 5, 6, 7]);
  });

  it('stops waiting for a slot when stopped', () => {
    const slot = slots(0);
    const admitted: number[] = [];
    const acceptor = new Acceptor({ acceptDelay: () => 0, slotAvailable: slot.slotAvailable, onSlotChange: slot.onSlotChange, admit: (s) => admitted.push((s as unknown as FakeSocket).id), overflow: () => undefined, waiting: () => undefined }, 5);
    const socket = new FakeSocket(0);
    acceptor.arrived(socket as unknown as Socket);
    expect(acceptor.stop()).toEqual([socket]);
    expect(slot.waiting()).toBe(0);
    slot.free();
    expect(admitted).toEqual([]);
  });
});
