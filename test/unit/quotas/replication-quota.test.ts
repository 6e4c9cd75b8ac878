// Replication quotas: which partitions a throttled-replicas value throttles on a broker, and when
// the windowed rate of throttled bytes exceeds the configured rate (clock injected).
import { describe, expect, it } from 'vitest';
import { parseThrottledReplicas, ReplicationQuota } from '../../../src/quotas/replication-quota.js';
import type { Topic } from '../../../src/topics/topic-registry.js';

function topicWith(overrides: Record<string, string>): Topic {
  return { name: 't', id: 'id', internal: false, partitions: [], replicas: [], overrides: new Map(Object.entries(overrides)), config: {} as Topic['config'] };
}

describe('throttled replicas', () => {
  it('takes the partitions listed with this broker\'s id, or all for "*"', () => {
    expect(parseThrottledReplicas('*', 1)).toBeNull();
    expect([...parseThrottledReplicas('0:1,1:2,2:1', 1)!]).toEqual([0, 2]);
    expect([...parseThrottledReplicas('0:2', 1)!]).toEqual([]);
  });

  it('reads the side\'s own topic config', () => {
    const leader = new ReplicationQuota({ side: 'leader', nodeId: 1, bound: () => 1, windows: 11, windowMs: 1000 });
    const follower = new ReplicationQuota({ side: 'follower', nodeId: 1, bound: () => 1, windows: 11, windowMs: 1000 });
    const topic = topicWith({ 'leader.replication.throttled.replicas': '1:1', 'follower.replication.throttled.replicas': '0:1' });
    expect([leader.isThrottled(topic, 0), leader.isThrottled(topic, 1)]).toEqual([false, true]);
    expect([follower.isThrottled(topic, 0), follower.isThrottled(topic, 1)]).toEqual([true, false]);
    expect(leader.isThrottled(topicWith({}), 0)).toBe(false);
  });
});

describe('replication rate', () => {
  it('is exceeded while the bytes over the windows (at least windows - 1 of them) are above the bound', () => {
    let now = 100_000;
    let bound = 10;
    const quota = new ReplicationQuota({ side: 'leader', nodeId: 1, bound: () => bound, windows: 11, windowMs: 1000, clock: () => now });
    expect(quota.isExceeded()).toBe(false);
    // 100 bytes over 10 s is 10 bytes/s: not above the bound.
    quota.record(100);
    expect(quota.isExceeded()).toBe(false);
    quota.record(1);
    expect(quota.isExceeded()).toBe(true);
    // The bound is read at each check (a dynamic config).
    bound = 20;
    expect(quota.isExceeded()).toBe(false);
    bound = 10;
    // Once the windows holding them have passed, the bytes no longer count.
    now += 11_000;
    expect(quota.isExceeded()).toBe(false);
  });
});
