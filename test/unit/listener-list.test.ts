import { describe, expect, it } from 'vitest';
import { ListenerList } from '../../src/listener-list.js';

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
