import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.js';
import { parseProperties } from '../../../src/config/properties.js';
import { KAFKA_SERVER_PROPERTIES } from './kafka-server-properties.js';

const parse = (text: string) => Object.fromEntries(parseProperties(text));

describe('parseProperties', () => {
  it('reads the three separators', () => {
    expect(parse('a=1\nb: 2\nc 3\nd\t4\ne\f5')).toEqual({ a: '1', b: '2', c: '3', d: '4', e: '5' });
  });

  it('skips whitespace around the separator but keeps trailing whitespace of the value', () => {
    expect(parse('  key   =   value  ')).toEqual({ key: 'value  ' });
  });

  it('takes only one separator; a second one belongs to the value', () => {
    expect(parse('a==b\nc = : d\ne : = f')).toEqual({ a: '=b', c: ': d', e: '= f' });
  });

  it('reads a key with no value as empty, and an empty key', () => {
    expect(parse('alone\nspaced   \n=v')).toEqual({ alone: '', spaced: '', '': 'v' });
  });

  it('ignores # and ! comments and blank lines, also when indented', () => {
    expect(parse('# c\n! c\n   # c\n\n \t \na=1')).toEqual({ a: '1' });
  });

  it('does not treat # in the middle of a line as a comment', () => {
    expect(parse('a=1 # not a comment')).toEqual({ a: '1 # not a comment' });
  });

  it('joins continuation lines and drops their leading whitespace', () => {
    expect(parse('list=a,\\\n    b,\\\n\tc\nnext=1')).toEqual({ list: 'a,b,c', next: '1' });
  });

  it('reads an even number of trailing backslashes as escaped backslashes', () => {
    expect(parse('a=x\\\\\nb=y')).toEqual({ a: 'x\\', b: 'y' });
    expect(parse('a=x\\\\\\\n  y')).toEqual({ a: 'x\\y' });
  });

  it('does not continue a comment line', () => {
    expect(parse('# comment \\\na=1')).toEqual({ a: '1' });
  });

  it('keeps # at the start of a continuation line as value', () => {
    expect(parse('a=x\\\n  #y')).toEqual({ a: 'x#y' });
  });

  it('ends a logical line at an empty continuation line and at end of input', () => {
    expect(parse('a=x\\\n\nb=y')).toEqual({ a: 'x', b: 'y' });
    expect(parse('a=x\\')).toEqual({ a: 'x' });
  });

  it('accepts \\n, \\r\\n and \\r line ends', () => {
    expect(parse('a=1\r\nb=2\rc=3\n')).toEqual({ a: '1', b: '2', c: '3' });
    expect(parse('a=1\\\r\n  2')).toEqual({ a: '12' });
  });

  it('decodes escapes in keys and values', () => {
    expect(parse('tab=a\\tb\nnl=a\\nb\ncr=\\r\nff=\\f\nbs=a\\\\b\nu=\\u00e9\\u0041\nother=\\q\\#')).toEqual({
      tab: 'a\tb', nl: 'a\nb', cr: '\r', ff: '\f', bs: 'a\\b', u: 'éA', other: 'q#',
    });
    expect(parse('my\\ key\\=x\\:y = v')).toEqual({ 'my key=x:y': 'v' });
  });

  it('rejects a malformed \\u escape with its line', () => {
    expect(() => parseProperties('ok=1\nbad=\\u12G4')).toThrow(ConfigError);
    expect(() => parseProperties('ok=1\nbad=\\u12G4')).toThrow(/line 2/);
  });

  it('lets the last duplicate win', () => {
    expect(parse('a=1\na=2')).toEqual({ a: '2' });
  });

  it('keeps UTF-8 text as is', () => {
    expect(parse('name=café ☕')).toEqual({ name: 'café ☕' });
  });

  it('reads Kafka\'s own KRaft server.properties', () => {
    const props = parseProperties(KAFKA_SERVER_PROPERTIES);
    expect(props.size).toBe(22);
    expect(props.get('listeners')).toBe('PLAINTEXT://:9092,CONTROLLER://:9093');
    expect(props.has('log.flush.interval.messages')).toBe(false);
  });
});
