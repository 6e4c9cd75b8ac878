// The Creek-vs-Kafka arithmetic of `npm run bench -- --against kafka`: ratios, targets, the
// per-kind summary, the parsing of Kafka's perf tools' output and the RESULTS.md section update.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConsumerPerformance, parseProducerPerformance } from '../../bench/lib/kafka.js';
import { Results, replaceSection } from '../../bench/lib/results.js';
import { VERSUS_TARGETS, bestRun, creekFirst, formatRatio, summariseVersus, versusRatio } from '../../bench/lib/versus.js';

describe('versus targets', () => {
  it('divides Creek by Kafka and refuses missing or zero figures', () => {
    expect(versusRatio(150, 100)).toBe(1.5);
    expect(versusRatio(Number.NaN, 100)).toBeNaN();
    expect(versusRatio(100, Number.NaN)).toBeNaN();
    expect(versusRatio(100, 0)).toBeNaN();
  });

  it('judges throughput as higher-is-better, latency as lower-is-better, start-up and RSS at a quarter', () => {
    expect(VERSUS_TARGETS.throughput.met(1)).toBe(true);
    expect(VERSUS_TARGETS.throughput.met(0.99)).toBe(false);
    expect(VERSUS_TARGETS.latency.met(1)).toBe(true);
    expect(VERSUS_TARGETS.latency.met(1.01)).toBe(false);
    expect(VERSUS_TARGETS.startup.met(0.25)).toBe(true);
    expect(VERSUS_TARGETS.startup.met(0.26)).toBe(false);
    expect(VERSUS_TARGETS.rss.met(0.1)).toBe(true);
    expect(VERSUS_TARGETS.rss.met(0.3)).toBe(false);
  });

  it('records Kafka beside Creek and judges the figure by its kind', () => {
    const results = new Results((g) => `npm run bench -- --against kafka --only ${g}`);
    const quiet = console.log;
    console.log = () => undefined;
    try {
      results.add('produce', { scenario: 's', metric: 'throughput', value: 80, unit: 'MiB/s', kafka: { value: 100, kind: 'throughput' } });
      results.add('latency', { scenario: 'l', metric: 'p99', value: 2, unit: 'ms', kafka: { value: 4, kind: 'latency' } });
      results.add('latency', { scenario: 'l', metric: 'p50', value: 2, unit: 'ms', kafka: { value: 1 } });
      results.add('startup', { scenario: 'x', metric: 'start-up', value: 100, unit: 'ms', kafka: { value: Number.NaN, kind: 'startup' } });
    } finally {
      console.log = quiet;
    }
    const [produce, p99, p50, startup] = results.figures;
    expect(produce).toMatchObject({ value: 80, kafka: 100, ratio: 0.8, kind: 'throughput', met: false, target: 'Creek >= Kafka' });
    expect(p99).toMatchObject({ ratio: 0.5, met: true });
    expect(p50).toMatchObject({ ratio: 2, met: null, target: null });
    expect(startup).toMatchObject({ ratio: null, met: null });
    expect(summariseVersus(results.figures)).toEqual([
      { kind: 'throughput', figures: 1, met: 0 },
      { kind: 'latency', figures: 1, met: 1 },
    ]);
  });

  it('keeps the best round of each side, skipping failed ones', () => {
    expect(bestRun([{ r: 1 }, null, { r: 3 }, { r: 2 }], (x) => x.r)).toEqual({ r: 3 });
    expect(bestRun([null, null], (x: { r: number }) => x.r)).toBeNull();
    expect(bestRun([], (x: { r: number }) => x.r)).toBeNull();
  });

  it('alternates which broker goes first by shape and by round (ABBA)', () => {
    expect([0, 1].map((round) => creekFirst(0, round))).toEqual([true, false]);
    expect([0, 1].map((round) => creekFirst(1, round))).toEqual([false, true]);
    expect([0, 1, 2, 3].map((shape) => creekFirst(shape, 0))).toEqual([true, false, true, false]);
  });

  it('formats ratios', () => {
    expect(formatRatio(1.234)).toBe('1.23×');
    expect(formatRatio(12.34)).toBe('12.3×');
    expect(formatRatio(null)).toBe('n/a');
    expect(formatRatio(Number.NaN)).toBe('n/a');
  });
});

describe("Kafka's perf tools' output", () => {
  it("reads ProducerPerformance's summary line", () => {
    const out = [
      '49681 records sent, 9932.2 records/sec (9.70 MB/sec), 1577.1 ms avg latency, 2602.0 ms max latency.',
      '200000 records sent, 38850.038850 records/sec (37.94 MB/sec), 681.23 ms avg latency, 2602.00 ms max latency, 574 ms 50th, 1700 ms 95th, 2446 ms 99th, 2584 ms 99.9th.',
    ].join('\n');
    expect(parseProducerPerformance(out)).toEqual({ records: 200000, recordsPerSec: 38850.03885, mibPerSec: 37.94, avgMs: 681.23, maxMs: 2602, p50Ms: 574, p95Ms: 1700, p99Ms: 2446, p999Ms: 2584 });
    expect(() => parseProducerPerformance('nothing here')).toThrow(/no ProducerPerformance summary/);
  });

  it("reads ConsumerPerformance's CSV by column", () => {
    const out = [
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
      '2026-12-05 05:20:00:123, 2026-12-05 05:20:04:456, 195.3125, 45.0750, 200000, 46157.4, 3021, 1312, 148.8662, 152439.0',
    ].join('\n');
    const row = parseConsumerPerformance(out);
    expect(row['fetch.MB.sec']).toBe('148.8662');
    expect(row['rebalance.time.ms']).toBe('3021');
    expect(row['start.time']).toBe('2026-12-05 05:20:00:123');
    expect(() => parseConsumerPerformance('start.time, end.time\n1')).toThrow(/no ConsumerPerformance summary/);
  });
});

describe('RESULTS.md section', () => {
  const heading = '## Side by side';
  it('appends the section when the file lacks it', () => {
    expect(replaceSection('# R\n\ntable\n', heading, `${heading}\n\nnew\n`)).toBe(`# R\n\ntable\n\n${heading}\n\nnew\n`);
    expect(replaceSection('', heading, `${heading}\n\nnew\n`)).toBe(`${heading}\n\nnew\n`);
  });
  it('replaces the section up to the next heading, keeping the rest', () => {
    const old = `# R\n\n${heading}\n\nold\n\n## Later\n\nkept\n`;
    expect(replaceSection(old, heading, `${heading}\n\nnew\n`)).toBe(`# R\n\n${heading}\n\nnew\n\n## Later\n\nkept\n`);
    expect(replaceSection(`# R\n\n${heading}\n\nold\n`, heading, `${heading}\n\nnew\n`)).toBe(`# R\n\n${heading}\n\nnew\n`);
  });
  it("rewrites the own bench's table at the top and keeps the sections after it", () => {
    const dir = mkdtempSync(join(tmpdir(), 'creek-results-'));
    try {
      const path = join(dir, 'RESULTS.md');
      writeFileSync(path, `# Old header\n\n| old table |\n\n${heading}\n\nkafka rows\n`);
      const results = new Results(() => 'npm run bench');
      results.add('startup', { scenario: 'start-up', metric: 'idle RSS', value: 70, unit: 'MiB' });
      results.writeMarkdown(path, '# New header');
      const text = readFileSync(path, 'utf8');
      expect(text.startsWith('# New header\n\n| scenario |')).toBe(true);
      expect(text).toContain('| start-up | idle RSS | 70.0 MiB |');
      expect(text).not.toContain('old table');
      expect(text.endsWith(`\n\n${heading}\n\nkafka rows\n`)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
