// Which internal-topic partitions a coordinator owns: loads on becoming leader, unloads on losing
// leadership, in order; COORDINATOR_LOAD_IN_PROGRESS while loading, NOT_COORDINATOR when not owned.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { CoordinatorPartitions, type CoordinatorReplica } from '../../../src/coordinator/coordinator-partitions.js';
import { errorCodeOf } from '../../../src/kafka-error.js';

const TOPIC = '__consumer_offsets';
const log = pino({ level: 'silent' });

function replica(index: number, isLeader: boolean, leaderEpoch: number, topic = TOPIC): CoordinatorReplica {
  return { topic, index, isLeader, leaderEpoch };
}

/** A loader whose loads finish when the test says, recording what it was asked in order. */
function controlledLoader() {
  const calls: string[] = [];
  const pending: (() => void)[] = [];
  let failNext = false;
  return {
    calls,
    finishLoad: () => pending.shift()!(),
    failNextLoad: () => (failNext = true),
    loader: {
      load: (p: CoordinatorReplica) => {
        calls.push(`load ${p.index}@${p.leaderEpoch}`);
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('unreadable'));
        }
        return new Promise<void>((resolve) => pending.push(resolve));
      },
      unload: (index: number) => void calls.push(`unload ${index}`),
    },
  };
}

function codeOf(fn: () => void): number {
  try {
    fn();
    return ErrorCode.NONE;
  } catch (err) {
    return errorCodeOf(err);
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('CoordinatorPartitions', () => {
  it('answers NOT_COORDINATOR for a partition not led here, LOAD_IN_PROGRESS while loading, then owns it', async () => {
    const c = controlledLoader();
    const owned = new CoordinatorPartitions(TOPIC, c.loader, log);
    expect(codeOf(() => owned.check(3))).toBe(ErrorCode.NOT_COORDINATOR);
    owned.leadershipChanged(replica(3, true, 7));
    expect(codeOf(() => owned.check(3))).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(owned.errorCode(3)).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    await tick();
    c.finishLoad();
    await owned.idle();
    expect(codeOf(() => owned.check(3))).toBe(ErrorCode.NONE);
    expect(owned.owns(3)).toBe(true);
    expect(owned.epochOf(3)).toBe(7);
    expect(owned.errorCode(4)).toBe(ErrorCode.NOT_COORDINATOR);
    expect(c.calls).toEqual(['load 3@7']);
  });

  it('unloads on losing leadership, after the load it undoes, and loads again on regaining it', async () => {
    const c = controlledLoader();
    const owned = new CoordinatorPartitions(TOPIC, c.loader, log);
    owned.leadershipChanged(replica(1, true, 1));
    await tick();
    // Leadership lost while the load runs: not owned at once, the unload waits for the load.
    owned.leadershipChanged(replica(1, false, 2));
    expect(owned.errorCode(1)).toBe(ErrorCode.NOT_COORDINATOR);
    expect(c.calls).toEqual(['load 1@1']);
    c.finishLoad();
    await owned.idle();
    expect(c.calls).toEqual(['load 1@1', 'unload 1']);
    expect(owned.owns(1)).toBe(false);
    owned.leadershipChanged(replica(1, true, 3));
    await tick();
    c.finishLoad();
    await owned.idle();
    expect(c.calls).toEqual(['load 1@1', 'unload 1', 'load 1@3']);
    expect(owned.epochOf(1)).toBe(3);
  });

  it('skips a load whose leadership was lost before its turn, and ignores repeated states and other topics', async () => {
    const c = controlledLoader();
    const owned = new CoordinatorPartitions(TOPIC, c.loader, log);
    owned.leadershipChanged(replica(0, true, 1));
    owned.leadershipChanged(replica(2, true, 1));
    owned.leadershipChanged(replica(2, false, 2));
    owned.leadershipChanged(replica(0, true, 1));
    owned.leadershipChanged(replica(5, true, 1, 'orders'));
    owned.leadershipChanged(replica(4, false, 1));
    await tick();
    c.finishLoad();
    await owned.idle();
    expect(c.calls).toEqual(['load 0@1', 'unload 2']);
    expect(owned.owns(0)).toBe(true);
    expect(owned.owns(2)).toBe(false);
  });

  it('leaves a partition whose load failed unowned, and tries again on the next leadership', async () => {
    const c = controlledLoader();
    const owned = new CoordinatorPartitions(TOPIC, c.loader, log);
    c.failNextLoad();
    owned.leadershipChanged(replica(0, true, 1));
    await owned.idle();
    expect(owned.errorCode(0)).toBe(ErrorCode.NOT_COORDINATOR);
    expect(c.calls).toEqual(['load 0@1', 'unload 0']);
    owned.leadershipChanged(replica(0, true, 2));
    await tick();
    c.finishLoad();
    await owned.idle();
    expect(owned.owns(0)).toBe(true);
  });

  it('owns a partition it created itself without loading it', () => {
    const c = controlledLoader();
    const owned = new CoordinatorPartitions(TOPIC, c.loader, log);
    owned.adoptEmpty(replica(2, true, 0));
    owned.adoptEmpty(replica(3, false, 0));
    expect(owned.owns(2)).toBe(true);
    expect(owned.owns(3)).toBe(false);
    expect(c.calls).toEqual([]);
  });
});
