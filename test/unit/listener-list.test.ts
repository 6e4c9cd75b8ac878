import { describe, expect, it } from 'vitest';
import { ListenerList, onAbort } from '../../src/listener-list.js';

describe('ListenerList', () => {
  it('calls listeners in the order they were added, and no longer once removed', () => {
    const list = new ListenerList<number>();
    const seen: string[] = [];
    const offA = list.add((v) => seen.push(`a${v}`));
    list.add((v) => seen.push(`b${v}`));
    list.emit(1);
    offA();
    offA();
    list.emit(2);
    expect(seen).toEqual(['a1', 'b1', 'b2']);
    expect(list.size).toBe(1);
  });

  it('skips a listener removed during an emit before its turn, as a Set would, and calls one added during it', () => {
    const list = new ListenerList<void>();
    const seen: string[] = [];
    let offC = (): void => undefined;
    list.add(() => {
      seen.push('a');
      offC();
      list.add(() => seen.push('d'));
    });
    const offB = list.add(() => {
      seen.push('b');
      offB();
    });
    offC = list.add(() => seen.push('c'));
    list.emit();
    expect(seen).toEqual(['a', 'b', 'd']);
    expect(list.size).toBe(2);
    seen.length = 0;
    list.emit();
    expect(seen).toEqual(['a', 'd', 'd']);
  });

  it('clears, also from inside an emit', () => {
    const list = new ListenerList<void>();
    const seen: string[] = [];
    list.add(() => {
      seen.push('a');
      list.clear();
    });
    list.add(() => seen.push('b'));
    list.emit();
    list.emit();
    expect(seen).toEqual(['a']);
    expect(list.size).toBe(0);
  });
});

describe('onAbort', () => {
  it('calls the listeners still subscribed when the signal aborts, once', () => {
    const controller = new AbortController();
    const seen: string[] = [];
    onAbort(controller.signal, () => seen.push('a'));
    const offB = onAbort(controller.signal, () => seen.push('b'));
    onAbort(controller.signal, () => seen.push('c'));
    offB();
    controller.abort();
    controller.abort();
    expect(seen).toEqual(['a', 'c']);
  });

  it('adds one listener to the signal however many waiters come and go', () => {
    const controller = new AbortController();
    let added = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added++;
      add(...args);
    }) as typeof add;
    for (let i = 0; i < 100; i++) onAbort(controller.signal, () => undefined)();
    const seen: number[] = [];
    onAbort(controller.signal, () => seen.push(1));
    controller.abort();
    expect(added).toBe(1);
    expect(seen).toEqual([1]);
  });

  it('calls a listener on a signal already aborted in a microtask, unless unsubscribed first', async () => {
    const signal = AbortSignal.abort();
    const seen: string[] = [];
    onAbort(signal, () => seen.push('a'));
    onAbort(signal, () => seen.push('b'))();
    expect(seen).toEqual([]);
    await Promise.resolve();
    expect(seen).toEqual(['a']);
  });
});
