// Configuring a streams topology against the topics that exist: task counts, internal topics to
// create with their partition counts, copartitioning, and the statuses for what is wrong.
import { describe, expect, it } from 'vitest';
import { checkTopology, configureTopology, StreamsStatus, type StreamsSubtopology, type StreamsTopology } from '../../../src/groups/streams-topology.js';

const sub = (over: Partial<StreamsSubtopology> & { subtopologyId: string }): StreamsSubtopology => ({
  sourceTopics: [],
  repartitionSinkTopics: [],
  stateChangelogTopics: [],
  repartitionSourceTopics: [],
  copartitionGroups: [],
  ...over,
});
const info = (name: string, partitions = 0) => ({ name, partitions, replicationFactor: 0, configs: [] as [string, string][] });
const lookup = (topics: Record<string, number>) => (t: string): number | undefined => topics[t];

/** in (3 partitions) → 0 → rep → 1 (store) ; 1 also reads side. */
const chain: StreamsTopology = {
  epoch: 0,
  subtopologies: [
    sub({ subtopologyId: '0', sourceTopics: ['in'], repartitionSinkTopics: ['rep'] }),
    sub({ subtopologyId: '1', repartitionSourceTopics: [info('rep')], stateChangelogTopics: [info('store')] }),
  ],
};

describe('configureTopology', () => {
  it('derives repartition and changelog partition counts from the source topics and lists them to create', () => {
    const c = configureTopology(chain, lookup({ in: 3 }));
    expect(c.ready).toBe(false);
    expect(c.status).toEqual({ code: StreamsStatus.MISSING_INTERNAL_TOPICS, detail: 'Internal topics are missing: rep, store' });
    expect(c.internalTopicsToCreate.map((t) => [t.name, t.partitions])).toEqual([
      ['rep', 3],
      ['store', 3],
    ]);
    expect([...c.tasks]).toEqual([
      ['0', 3],
      ['1', 3],
    ]);
  });

  it('is ready once the internal topics exist with those counts', () => {
    const c = configureTopology(chain, lookup({ in: 3, rep: 3, store: 3 }));
    expect(c).toMatchObject({ ready: true, status: null, internalTopicsToCreate: [] });
  });

  it('reports an internal topic with another partition count', () => {
    const c = configureTopology(chain, lookup({ in: 3, rep: 5 }));
    expect(c.ready).toBe(false);
    expect(c.status).toEqual({ code: StreamsStatus.INCORRECTLY_PARTITIONED_TOPICS, detail: 'Existing topic rep has different number of partitions: expected 3, found 5' });
  });

  it('reports missing source topics, sorted', () => {
    const t: StreamsTopology = { epoch: 0, subtopologies: [sub({ subtopologyId: '0', sourceTopics: ['zeta', 'alpha', 'present'] })] };
    expect(configureTopology(t, lookup({ present: 1 })).status).toEqual({ code: StreamsStatus.MISSING_SOURCE_TOPICS, detail: 'Source topics alpha, zeta are missing.' });
  });

  it('keeps a fixed repartition partition count and follows chains of repartition topics', () => {
    const t: StreamsTopology = {
      epoch: 0,
      subtopologies: [
        sub({ subtopologyId: '0', sourceTopics: ['in'], repartitionSinkTopics: ['r1', 'fixed'] }),
        sub({ subtopologyId: '1', repartitionSourceTopics: [info('r1')], repartitionSinkTopics: ['r2'] }),
        sub({ subtopologyId: '2', repartitionSourceTopics: [info('r2'), info('fixed', 7)], stateChangelogTopics: [info('s2')] }),
      ],
    };
    const c = configureTopology(t, lookup({ in: 2 }));
    expect(new Map(c.internalTopicsToCreate.map((x) => [x.name, x.partitions]))).toEqual(new Map([['r1', 2], ['r2', 2], ['fixed', 7], ['s2', 7]]));
    expect(c.tasks.get('2')).toBe(7);
  });

  it('requires copartitioned source topics to have equal partition counts, and aligns flexible repartition topics', () => {
    const join = (sources: string[]): StreamsTopology => ({
      epoch: 0,
      subtopologies: [
        sub({ subtopologyId: '0', sourceTopics: ['x'], repartitionSinkTopics: ['rx'] }),
        sub({ subtopologyId: '1', sourceTopics: sources, repartitionSourceTopics: [info('rx')], copartitionGroups: [{ sourceTopics: sources.map((_, i) => i), repartitionSourceTopics: [0] }] }),
      ],
    });
    const bad = configureTopology(join(['a', 'b']), lookup({ x: 1, a: 2, b: 3 }));
    expect(bad.status).toEqual({ code: StreamsStatus.INCORRECTLY_PARTITIONED_TOPICS, detail: 'Following topics do not have the same number of partitions: [a=2, b=3]' });
    const good = configureTopology(join(['a']), lookup({ x: 1, a: 4 }));
    expect(good.internalTopicsToCreate.find((t) => t.name === 'rx')!.partitions).toBe(4);
  });
});

describe('checkTopology', () => {
  it('refuses a changelog topic with a partition count (STREAMS_INVALID_TOPOLOGY)', () => {
    const t: StreamsTopology = { epoch: 0, subtopologies: [sub({ subtopologyId: '0', sourceTopics: ['in'], stateChangelogTopics: [info('c', 2)] })] };
    expect(() => checkTopology(t)).toThrow('Changelog topic c must have an undefined partition count, but it is set to 2.');
    expect(() => checkTopology(chain)).not.toThrow();
  });
});
