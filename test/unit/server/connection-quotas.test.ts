// ConnectionQuotas as Kafka's: the acceptor's wait takes the longer of the broker-wide and the
// listener's max.connection.creation.rate, the broker-wide one not on the inter-broker listener
// beside others; a connection refused by its address's connection_creation_rate is taken back
// from both counts. A connection slot is free under the listener's max.connections and (except
// on that inter-broker listener) the broker's; a closed connection wakes the waiting acceptors.
// Over the broker's limit, the other listeners close connections in turn until it is within it.
import { describe, expect, it } from 'vitest';
import { ConnectionQuotas, type AcceptanceMeters, type ConnectionLimits } from '../../../src/server/connection-quotas.js';

/** Counts per meter; a meter over its bound asks for a wait of 100 ms per connection beyond it. */
function countingMeters(): AcceptanceMeters & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    counts,
    recordAcceptance(meter, bound) {
      const count = (counts.get(meter) ?? 0) + 1;
      counts.set(meter, count);
      return Math.max(0, count - bound) * 100;
    },
    unrecordAcceptance(meter) {
      counts.set(meter, counts.get(meter)! - 1);
    },
  };
}

const limits = (rate: number, perListener: Record<string, number> = {}, maxConnections = 1000, listenerMax: Record<string, number> = {}): (() => ConnectionLimits) => () => ({
  maxConnections,
  maxPerIp: 1000,
  perIpOverrides: new Map(),
  maxConnectionCreationRate: rate,
  listenerConnectionCreationRate: (listener) => perListener[listener] ?? rate,
  listenerMaxConnections: (listener) => listenerMax[listener] ?? maxConnections,
});

describe('ConnectionQuotas acceptor wait', () => {
  it('waits the longer of the broker-wide and the listener rate, the broker-wide one spared on the inter-broker listener', () => {
    const meters = countingMeters();
    const quotas = new ConnectionQuotas(limits(2, { PLAINTEXT: 100, OTHER: 3 }), () => 0, meters, 'PLAINTEXT');
    expect([1, 2, 3, 4].map(() => quotas.acceptDelay('OTHER'))).toEqual([0, 0, 100, 200]);
    // The inter-broker listener is counted on its own meter only: its higher rate holds.
    expect([1, 2, 3].map(() => quotas.acceptDelay('PLAINTEXT'))).toEqual([0, 0, 0]);
    expect(meters.counts).toEqual(new Map([['listener:OTHER', 4], ['broker', 4], ['listener:PLAINTEXT', 3]]));
    // Without a protected listener (a single one, say) every listener counts against the broker.
    const single = new ConnectionQuotas(limits(2, { PLAINTEXT: 100 }), () => 0, countingMeters(), null);
    expect([1, 2, 3].map(() => single.acceptDelay('PLAINTEXT'))).toEqual([0, 0, 100]);
  });

  it("takes a connection refused by its address's rate back from the broker's and its listener's counts", () => {
    const meters = countingMeters();
    const quotas = new ConnectionQuotas(limits(10), (ip) => (ip === '10.0.0.9' ? 250 : 0), meters, 'PLAINTEXT');
    quotas.acceptDelay('OTHER');
    expect(quotas.admit('10.0.0.9', 'OTHER')).toMatchObject({ admitted: false, throttleMs: 250 });
    quotas.acceptDelay('PLAINTEXT');
    expect(quotas.admit('10.0.0.9', 'PLAINTEXT')).toMatchObject({ admitted: false, throttleMs: 250 });
    quotas.acceptDelay('OTHER');
    expect(quotas.admit('10.0.0.1', 'OTHER')).toMatchObject({ admitted: true });
    expect(meters.counts).toEqual(new Map([['listener:OTHER', 1], ['broker', 1], ['listener:PLAINTEXT', 0]]));
  });
});

describe('ConnectionQuotas connection slots', () => {
  it("frees a slot under the listener's max.connections and the broker's, which the inter-broker listener beside others may exceed", () => {
    const quotas = new ConnectionQuotas(limits(1000, {}, 3, { OTHER: 1 }), () => 0, countingMeters(), 'PLAINTEXT');
    let wakes = 0;
    const stop = quotas.onSlotChange(() => wakes++);
    const other = quotas.admit('10.0.0.1', 'OTHER');
    expect(quotas.slotAvailable('OTHER')).toBe(false);
    expect(quotas.slotAvailable('THIRD')).toBe(true);
    const third = [quotas.admit('10.0.0.1', 'THIRD'), quotas.admit('10.0.0.1', 'THIRD')];
    // The broker's 3 are taken: the inter-broker listener still has its own 3.
    expect(quotas.slotAvailable('THIRD')).toBe(false);
    const inter = [1, 2, 3].map(() => quotas.admit('10.0.0.2', 'PLAINTEXT'));
    expect(quotas.slotAvailable('PLAINTEXT')).toBe(false);
    for (const a of inter) if (a.admitted) a.release();
    expect(wakes).toBe(3);
    expect(quotas.slotAvailable('THIRD')).toBe(false);
    if (third[0]!.admitted) third[0]!.release();
    expect(quotas.slotAvailable('THIRD')).toBe(true);
    expect(quotas.slotAvailable('OTHER')).toBe(false);
    if (other.admitted) other.release();
    expect(quotas.slotAvailable('OTHER')).toBe(true);
    stop();
    quotas.limitsChanged();
    expect(wakes).toBe(5);
  });

  it('makes the other listeners close connections in turn when the inter-broker listener goes over the broker limit, or the limit is lowered', () => {
    let max = 3;
    const quotas = new ConnectionQuotas(() => ({ ...limits(1000)(), maxConnections: max, listenerMaxConnections: () => max }), () => 0, countingMeters(), 'PLAINTEXT');
    const open = new Map<string, (() => void)[]>([['OTHER', []], ['THIRD', []], ['PLAINTEXT', []]]);
    const closed: string[] = [];
    for (const listener of open.keys()) {
      quotas.closeExcessWith(listener, () => {
        const release = open.get(listener)!.shift();
        if (release === undefined) return false;
        closed.push(listener);
        release();
        return true;
      });
    }
    const connect = (listener: string): void => {
      const a = quotas.admit('10.0.0.1', listener);
      if (a.admitted) open.get(listener)!.push(a.release);
    };
    connect('OTHER');
    connect('OTHER');
    connect('THIRD');
    connect('PLAINTEXT');
    expect(closed).toEqual(['OTHER']);
    connect('PLAINTEXT');
    expect(closed).toEqual(['OTHER', 'OTHER']);
    expect(quotas.slotAvailable('PLAINTEXT')).toBe(true);
    connect('PLAINTEXT');
    expect(closed).toEqual(['OTHER', 'OTHER', 'THIRD']);
    // Nothing left to close but the inter-broker listener's own: the broker stays over its limit.
    max = 2;
    quotas.limitsChanged();
    expect(closed).toEqual(['OTHER', 'OTHER', 'THIRD']);
    expect(quotas.slotAvailable('PLAINTEXT')).toBe(false);
  });
});
