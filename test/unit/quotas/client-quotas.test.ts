// Client quotas: AlterClientQuotas validation, DescribeClientQuotas filters, the precedence that
// picks a client's quota, persistence, the byte-rate and connection-rate throttle computation,
// and the bytes a consumer's fetch may ask for in one quota window.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { FileMetadataStore } from '../../../src/metadata/file-metadata-store.js';
import { MemoryMetadataStore } from '../../../src/metadata/memory-metadata-store.js';
import { CLIENT_ID, ClientQuotas, IP, MATCH_DEFAULT, MATCH_EXACT, MATCH_SPECIFIED, USER, type QuotaAlteration } from '../../../src/quotas/client-quotas.js';
import { QuotaMeter } from '../../../src/quotas/quota-meter.js';
import { tempDir } from '../../helpers/broker.js';

const logger = pino({ level: 'silent' });

const set = (entity: [string, string | null][], key: string, value: number): QuotaAlteration => ({
  entity: entity.map(([entityType, entityName]) => ({ entityType, entityName })),
  ops: [{ key, value, remove: false }],
});

describe('AlterClientQuotas validation', () => {
  it('refuses what Kafka refuses, each entity on its own', async () => {
    const quotas = ClientQuotas.open(new MemoryMetadataStore());
    const results = await quotas.alter(
      [
        { entity: [], ops: [] },
        set([[USER, 'a'], [USER, 'b']], 'producer_byte_rate', 1),
        set([['group', 'g']], 'producer_byte_rate', 1),
        set([[USER, '']], 'producer_byte_rate', 1),
        set([[IP, '1.2.3.4'], [USER, 'a']], 'connection_creation_rate', 1),
        set([[USER, 'a']], 'connection_creation_rate', 1),
        set([[USER, 'a']], 'producer_byte_rate', 0),
        set([[USER, 'a']], 'producer_byte_rate', 1.5),
        set([[USER, 'a']], 'request_percentage', 12.5),
        set([[IP, null]], 'connection_creation_rate', 10),
      ],
      false,
    );
    expect(results).toEqual([
      'Invalid empty client quota entity',
      'Invalid client quota entity, duplicate entity entry user',
      'Unhandled client quota entity type: group',
      'Empty user not supported',
      'Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId',
      'Invalid configuration key connection_creation_rate',
      'Quota producer_byte_rate must be greater than 0',
      'producer_byte_rate cannot be a fractional value.',
      null,
      null,
    ]);
  });

  it('changes nothing when validating only, and removes keys and then entities', async () => {
    const quotas = ClientQuotas.open(new MemoryMetadataStore());
    await quotas.alter([set([[USER, 'a']], 'producer_byte_rate', 100)], true);
    expect(quotas.describe([], false)).toEqual([]);
    await quotas.alter([set([[USER, 'a']], 'producer_byte_rate', 100)], false);
    expect(quotas.describe([], false)).toHaveLength(1);
    await quotas.alter([{ entity: [{ entityType: USER, entityName: 'a' }], ops: [{ key: 'producer_byte_rate', value: 0, remove: true }] }], false);
    expect(quotas.describe([], false)).toEqual([]);
  });
});

describe('DescribeClientQuotas filters', () => {
  const quotas = ClientQuotas.open(new MemoryMetadataStore());
  const names = (found: ReturnType<ClientQuotas['describe']>) => found.map((f) => JSON.stringify([...f.entity])).sort();
  it('matches EXACT, DEFAULT and SPECIFIED components, strictly or not', async () => {
    await quotas.alter(
      [
        set([[USER, 'alice']], 'producer_byte_rate', 1),
        set([[USER, null]], 'producer_byte_rate', 2),
        set([[USER, 'alice'], [CLIENT_ID, 'app']], 'consumer_byte_rate', 3),
        set([[CLIENT_ID, 'app']], 'consumer_byte_rate', 4),
      ],
      false,
    );
    expect(names(quotas.describe([{ entityType: USER, matchType: MATCH_EXACT, match: 'alice' }], false))).toEqual(
      ['[["user","alice"]]', '[["user","alice"],["client-id","app"]]'].sort(),
    );
    expect(names(quotas.describe([{ entityType: USER, matchType: MATCH_EXACT, match: 'alice' }], true))).toEqual(['[["user","alice"]]']);
    expect(names(quotas.describe([{ entityType: USER, matchType: MATCH_DEFAULT, match: null }], false))).toEqual(['[["user",null]]']);
    expect(names(quotas.describe([{ entityType: USER, matchType: MATCH_SPECIFIED, match: null }], true))).toEqual(['[["user","alice"]]', '[["user",null]]'].sort());
    expect(names(quotas.describe([{ entityType: CLIENT_ID, matchType: MATCH_SPECIFIED, match: null }], false))).toHaveLength(2);
    expect(quotas.describe([], false)).toHaveLength(4);
    expect(quotas.describe([{ entityType: USER, matchType: MATCH_EXACT, match: 'alice' }], false)[0]!.values).toEqual(new Map([['producer_byte_rate', 1]]));
  });

  it('refuses bad filters', () => {
    expect(() => quotas.describe([{ entityType: '', matchType: 0, match: 'x' }], false)).toThrow('Invalid empty entity type.');
    expect(() => quotas.describe([{ entityType: USER, matchType: 0, match: 'x' }, { entityType: USER, matchType: 2, match: null }], false)).toThrow('cannot appear more than once');
    expect(() => quotas.describe([{ entityType: 'group', matchType: 0, match: 'x' }], false)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_VERSION' }));
    expect(() => quotas.describe([{ entityType: IP, matchType: 2, match: null }, { entityType: USER, matchType: 2, match: null }], false)).toThrow('IP filter component');
  });
});

describe('quota precedence', () => {
  it('picks the most specific of Kafka\'s eight entity forms', async () => {
    const quotas = ClientQuotas.open(new MemoryMetadataStore());
    const forms: [string, string | null][][] = [
      [[CLIENT_ID, null]],
      [[CLIENT_ID, 'app']],
      [[USER, null]],
      [[USER, null], [CLIENT_ID, null]],
      [[USER, null], [CLIENT_ID, 'app']],
      [[USER, 'alice']],
      [[USER, 'alice'], [CLIENT_ID, null]],
      [[USER, 'alice'], [CLIENT_ID, 'app']],
    ];
    // Added from least to most specific: each addition takes over.
    for (const [i, form] of forms.entries()) {
      await quotas.alter([set(form, 'producer_byte_rate', i + 1)], false);
      expect(quotas.quotaFor('producer_byte_rate', 'alice', 'app')?.bound).toBe(i + 1);
    }
    expect(quotas.quotaFor('producer_byte_rate', 'bob', 'other')?.bound).toBe(4); // default user + default client id
    expect(quotas.quotaFor('consumer_byte_rate', 'alice', 'app')).toBeNull();
  });
});

describe('persistence and throttling', () => {
  const dirs: { remove(): void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

  it('keeps quotas in the data dir', async () => {
    const dir = tempDir();
    dirs.push(dir);
    await ClientQuotas.open(FileMetadataStore.open(dir.path, logger)).alter([set([[USER, 'alice']], 'consumer_byte_rate', 1024)], false);
    expect(ClientQuotas.open(FileMetadataStore.open(dir.path, logger)).quotaFor('consumer_byte_rate', 'alice', 'x')?.bound).toBe(1024);
  });

  it('follows quota changes written to a shared metadata store', async () => {
    const metadata = new MemoryMetadataStore();
    const here = ClientQuotas.open(metadata);
    await ClientQuotas.open(metadata).alter([set([[USER, 'alice']], 'producer_byte_rate', 2048)], false);
    expect(here.quotaFor('producer_byte_rate', 'alice', 'x')?.bound).toBe(2048);
  });

  it('throttles for (rate - bound) / bound × window once the rate over the window exceeds the bound', async () => {
    const quotas = ClientQuotas.open(new MemoryMetadataStore());
    await quotas.alter([set([[USER, 'alice']], 'producer_byte_rate', 1000)], false);
    const meter = new QuotaMeter(quotas);
    const alice = { principal: 'User:alice', clientId: 'p' };
    const t0 = 1_000_000;
    // 10 000 bytes over the minimum 10 s window is exactly the bound.
    expect(meter.recordProduce(alice, 10_000, t0)).toBe(0);
    // 20 000 bytes: twice the bound, throttled one window span: Kafka's span is 10 s plus the
    // 10 ms since the first sample began, so (20 000 / 10.01 - 1000) / 1000 × 10.01 s.
    expect(meter.recordProduce(alice, 10_000, t0 + 10)).toBe(9990);
    // Another user has no quota; a fetch is metered apart.
    expect(meter.recordProduce({ principal: 'User:bob', clientId: 'p' }, 1e9, t0)).toBe(0);
    expect(meter.recordFetch(alice, 1e9, t0)).toBe(0);
    // Samples older than the 11 windows drop out.
    expect(meter.recordProduce(alice, 0, t0 + 12_000)).toBe(0);
  });

  it('takes back the bytes of a throttled fetch', async () => {
    const quotas = ClientQuotas.open(new MemoryMetadataStore());
    await quotas.alter([set([[CLIENT_ID, null]], 'consumer_byte_rate', 100)], false);
    const meter = new QuotaMeter(quotas);
    const c = { principal: 'User:ANONYMOUS', clientId: 'c' };
    expect(meter.recordFetch(c, 5000, 0)).toBeGreaterThan(0);
    // The refused bytes were not counted: a small fetch fits.
    expect(meter.recordFetch(c, 500, 10)).toBe(0);
  });

  it('gives the bytes consumer_byte_rate allows in one quota window, as Kafka\'s maxValueInQuotaWindow', async () => {
    const quotas = ClientQuotas.open(new MemoryMetadataStore());
    await quotas.alter([set([[USER, 'alice']], 'consumer_byte_rate', 1000), set([[USER, 'bob']], 'producer_byte_rate', 1000)], false);
    const meter = new QuotaMeter(quotas);
    // 1000 B/s × (11 windows − 1) × 1 s.
    expect(meter.fetchWindowBytes({ principal: 'User:alice', clientId: 'c' })).toBe(10_000);
    expect(meter.fetchWindowBytes({ principal: 'User:bob', clientId: 'c' })).toBe(Infinity);
  });

  it('meters connection_creation_rate per address, under its own IP entity or the default one', async () => {
    const quotas = ClientQuotas.open(new MemoryMetadataStore());
    await quotas.alter([set([[IP, null]], 'connection_creation_rate', 2), set([[IP, '0:0:0:0:0:0:0:1']], 'connection_creation_rate', 5)], false);
    expect(quotas.connectionRateFor('::1')).toBe(5);
    expect(quotas.connectionRateFor('::ffff:10.0.0.1')).toBe(2);
    const meter = new QuotaMeter(quotas);
    const t0 = 7_000_000;
    // 20 connections over the minimum 10 s window is exactly a rate of 2.
    for (let i = 0; i < 20; i++) expect(meter.recordConnection('10.0.0.1', t0)).toBe(0);
    // The 21st, 1 ms later: (21 / 10.001 - 2) / 2 × 10.001 s; refused, it is not counted, so the
    // next ones wait as long, less the time gone by.
    expect(meter.recordConnection('10.0.0.1', t0 + 1)).toBe(499);
    for (let i = 0; i < 100; i++) expect(meter.recordConnection('10.0.0.1', t0 + 2)).toBe(498);
    // Each address has its own rate.
    expect(meter.recordConnection('10.0.0.3', t0)).toBe(0);
    // Once the windows age out, the address is within its rate again.
    expect(meter.recordConnection('10.0.0.1', t0 + 12_000)).toBe(0);
    await quotas.alter([{ entity: [{ entityType: IP, entityName: null }], ops: [{ key: 'connection_creation_rate', value: 0, remove: true }] }], false);
    expect(quotas.connectionRateFor('10.0.0.1')).toBeNull();
  });

  it("meters connection-accept-rate as Kafka's Rate: a connection over the bound still counts, and the acceptor waits", () => {
    const meter = new QuotaMeter(ClientQuotas.open(new MemoryMetadataStore()));
    let now = 3_000_123;
    const waits: number[] = [];
    // An acceptor taking a burst of 34 at a rate of 2: it waits each throttle out before the next.
    for (let i = 0; i < 34; i++) {
      const wait = meter.recordAcceptance('broker', 2, now);
      waits.push(wait);
      now += wait;
    }
    // 20 fit in the 10 s span; then (21 / 10 - 2) / 2 × 10 s, (22 / 10.5 - 2) / 2 × 10.5 s; from
    // the second window on the span is back to 10 s (Kafka's windowSize) and each waits the most,
    // one window, until the first sample (the burst) ages out 11 s after it began.
    expect(waits).toEqual([...Array(20).fill(0), 500, 500, ...Array(10).fill(1000), 0, 0]);
    // Taken back (the address's own rate refused it), a connection no longer counts.
    const other = 9_000_000;
    for (let i = 0; i < 20; i++) meter.recordAcceptance('listener:OTHER', 2, other);
    meter.unrecordAcceptance('listener:OTHER', other);
    expect(meter.recordAcceptance('listener:OTHER', 2, other)).toBe(0);
    expect(meter.recordAcceptance('listener:OTHER', 2, other)).toBe(500);
  });

  it('meters request_percentage as busy time per window, its throttle at most one window', async () => {
    const quotas = ClientQuotas.open(new MemoryMetadataStore());
    await quotas.alter([set([[CLIENT_ID, 'busy']], 'request_percentage', 10)], false);
    const meter = new QuotaMeter(quotas);
    const busy = { principal: 'User:ANONYMOUS', clientId: 'busy' };
    const t0 = 5_000_000;
    // 10% of one thread over the minimum 10 s window is 1000 ms of busy time: exactly the bound.
    expect(meter.recordRequestTime(busy, 1000, t0)).toBe(0);
    // 1100 ms over 10.001 s is about 11%: 1 s, less the 1 ms gone by.
    expect(meter.recordRequestTime(busy, 100, t0 + 1)).toBe(999);
    // Far over the bound, the throttle stays at one window (Kafka's bounded request throttle).
    expect(meter.recordRequestTime(busy, 60_000, t0 + 2)).toBe(1000);
    // Byte-rate quotas and other clients are metered apart.
    expect(meter.recordProduce(busy, 1e9, t0)).toBe(0);
    expect(meter.recordRequestTime({ principal: 'User:ANONYMOUS', clientId: 'idle' }, 1e6, t0)).toBe(0);
    // Once the busy windows age out, the client is within its quota again.
    expect(meter.recordRequestTime(busy, 1, t0 + 12_000)).toBe(0);
  });
  it('meters controller_mutation_rate as a token bucket: strict requests refused in debt, permissive ones throttled', async () => {
    const quotas = ClientQuotas.open(new MemoryMetadataStore());
    await quotas.alter([set([[USER, 'ops']], 'controller_mutation_rate', 2)], false);
    const meter = new QuotaMeter(quotas);
    const ops = { principal: 'User:ops', clientId: 'admin' };
    let now = 1_000_000;
    const clock = () => now;
    // A full bucket holds 11 windows' worth (22 partitions); a strict request may overdraw it once.
    const first = meter.mutations(ops, true, clock);
    first.record(20);
    first.record(10);
    expect(first.throttleTimeMs).toBe(0);
    // 8 partitions in debt at 2/s: refused, with the 4 s it takes to repay.
    const second = meter.mutations(ops, true, clock);
    expect(() => second.record(1)).toThrow(expect.objectContaining({ errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED }));
    expect(second.throttleTimeMs).toBe(4000);
    // Older versions are permissive: recorded anyway and throttled; 1 s later 2 tokens came back.
    now += 1000;
    const permissive = meter.mutations(ops, false, clock);
    permissive.record(4);
    expect(permissive.throttleTimeMs).toBe(5000);
    // Refilled (never beyond the burst), the strict request passes again; other users are unlimited.
    now += 60_000;
    const later = meter.mutations(ops, true, clock);
    later.record(22);
    expect(later.throttleTimeMs).toBe(0);
    expect(() => meter.mutations(ops, true, clock).record(1)).not.toThrow();
    expect(() => meter.mutations({ principal: 'User:bob', clientId: 'admin' }, true, clock).record(1e6)).not.toThrow();
  });
});
