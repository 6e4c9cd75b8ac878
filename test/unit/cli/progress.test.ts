// The progress line: drawn only on a terminal, throttled by an injected clock, erased at the end.
import { describe, expect, it } from 'vitest';
import { progressLine } from '../../../src/cli/progress.js';

function fakeStream(isTTY: boolean): { isTTY: boolean; written: string[]; write(text: string): boolean } {
  const written: string[] = [];
  return { isTTY, written, write: (text) => (written.push(text), true) };
}

describe('progressLine', () => {
  it('redraws at most once per interval on a terminal and erases the line when done', () => {
    const stream = fakeStream(true);
    let clock = 1000;
    const progress = progressLine({ stream, now: () => clock, everyMs: 250 });
    progress.update('sent 1 records');
    clock += 100;
    progress.update('sent 2 records');
    clock += 149;
    progress.update('sent 3 records');
    clock += 1;
    progress.update('sent 4 records');
    clock += 1000;
    progress.update('sent 5 records');
    progress.done();
    expect(stream.written).toEqual(['\r\x1b[Ksent 1 records', '\r\x1b[Ksent 4 records', '\r\x1b[Ksent 5 records', '\r\x1b[K']);
  });

  it('writes nothing when the stream is not a terminal', () => {
    const stream = fakeStream(false);
    const progress = progressLine({ stream, now: () => 0 });
    progress.update('sent 1 records');
    progress.done();
    expect(stream.written).toEqual([]);
  });

  it('stays off when the results go to the same kind of terminal, so the two do not interleave', () => {
    const stream = fakeStream(true);
    const progress = progressLine({ stream, output: { isTTY: true }, now: () => 0 });
    progress.update('read 1 of ~3 records');
    progress.done();
    expect(stream.written).toEqual([]);
  });

  it('erases nothing if it never drew', () => {
    const stream = fakeStream(true);
    progressLine({ stream, now: () => 0 }).done();
    expect(stream.written).toEqual([]);
  });
});
