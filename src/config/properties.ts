// Parser for the java.util.Properties text format used by Kafka's server.properties:
// `key=value`, `key: value` or `key value`; `#`/`!` comment lines; a trailing odd backslash
// continues the line (leading whitespace of the next line dropped); escapes \t \n \r \f \uXXXX,
// any other escaped character stands for itself. Values keep their trailing whitespace, as Java's.
// Unlike Properties.load(InputStream) the text is taken as already decoded (Creek reads UTF-8).
import { ConfigError } from './config-error.js';

const WHITESPACE = new Set([' ', '\t', '\f']);

/** Parses properties text; later duplicates win. Throws ConfigError on a malformed \uXXXX escape. */
export function parseProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const firstLine = i + 1;
    let logical = skipLeadingWhitespace(lines[i]!);
    if (logical === '' || logical[0] === '#' || logical[0] === '!') continue;
    while (endsWithContinuation(logical)) {
      logical = logical.slice(0, -1);
      if (++i >= lines.length) break;
      logical += skipLeadingWhitespace(lines[i]!);
    }
    const { key, value } = splitKeyValue(logical);
    props.set(unescape(key, firstLine), unescape(value, firstLine));
  }
  return props;
}

function skipLeadingWhitespace(line: string): string {
  let start = 0;
  while (start < line.length && WHITESPACE.has(line[start]!)) start++;
  return line.slice(start);
}

/** An odd number of trailing backslashes means the last one escapes the line break. */
function endsWithContinuation(line: string): boolean {
  let count = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

/** The key ends at the first unescaped `=`, `:` or whitespace; one separator may follow whitespace. */
function splitKeyValue(line: string): { key: string; value: string } {
  let keyEnd = 0;
  let valueStart = line.length;
  let hasSeparator = false;
  let escaped = false;
  for (; keyEnd < line.length; keyEnd++) {
    const c = line[keyEnd]!;
    if (!escaped && (c === '=' || c === ':')) {
      valueStart = keyEnd + 1;
      hasSeparator = true;
      break;
    }
    if (!escaped && WHITESPACE.has(c)) {
      valueStart = keyEnd + 1;
      break;
    }
    escaped = c === '\\' ? !escaped : false;
  }
  while (valueStart < line.length) {
    const c = line[valueStart]!;
    if (!WHITESPACE.has(c)) {
      if (hasSeparator || (c !== '=' && c !== ':')) break;
      hasSeparator = true;
    }
    valueStart++;
  }
  return { key: line.slice(0, keyEnd), value: line.slice(valueStart) };
}

const SIMPLE_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescape(text: string, lineNumber: number): string {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\' || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const next = text[++i]!;
    if (next === 'u') {
      const hex = text.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new ConfigError([`Malformed \\uxxxx encoding on line ${lineNumber}: \\u${hex}`]);
      }
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += SIMPLE_ESCAPES[next] ?? next;
    }
  }
  return out;
}
