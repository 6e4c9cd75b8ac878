// Kafka's `sasl.jaas.config` value: exactly one JAAS login module entry,
// `<LoginModuleClass> <required|requisite|sufficient|optional> key=value ... ;`, where a value is a
// double-quoted string (backslash escapes the next character) or a bare word.

export interface JaasEntry {
  loginModule: string;
  controlFlag: string;
  options: ReadonlyMap<string, string>;
}

const CONTROL_FLAGS = ['required', 'requisite', 'sufficient', 'optional'];

/** Splits the text into words, quoted strings, `=` and `;`. */
function tokenize(text: string): { kind: 'word' | 'string' | '=' | ';'; value: string }[] {
  const tokens: { kind: 'word' | 'string' | '=' | ';'; value: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '=' || c === ';') {
      tokens.push({ kind: c, value: c });
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      if (i >= text.length) throw new Error('Unterminated quoted string in JAAS config');
      i++;
      tokens.push({ kind: 'string', value });
    } else {
      const start = i;
      while (i < text.length && !/[\s=;"]/.test(text[i]!)) i++;
      tokens.push({ kind: 'word', value: text.slice(start, i) });
    }
  }
  return tokens;
}

/** Parses one login module entry; throws Error with the reason when the text is not one. */
export function parseJaasConfig(text: string): JaasEntry {
  const tokens = tokenize(text);
  const next = (): (typeof tokens)[number] | undefined => tokens.shift();
  const loginModule = next();
  if (loginModule?.kind !== 'word') throw new Error('JAAS config must start with a login module class name');
  const flag = next();
  if (flag?.kind !== 'word' || !CONTROL_FLAGS.includes(flag.value.toLowerCase())) {
    throw new Error(`Invalid JAAS config: login module control flag must be one of ${CONTROL_FLAGS.join(', ')}`);
  }
  const options = new Map<string, string>();
  for (;;) {
    const token = next();
    if (token === undefined) throw new Error('Invalid JAAS config: login module entry must end with ";"');
    if (token.kind === ';') break;
    const equals = next();
    const value = next();
    if (token.kind !== 'word' || equals?.kind !== '=' || (value?.kind !== 'word' && value?.kind !== 'string')) {
      throw new Error(`Invalid JAAS config: expected key=value near "${token.value}"`);
    }
    options.set(token.value, value.value);
  }
  if (tokens.length > 0) {
    throw new Error(`JAAS config property contains ${1 + tokens.filter((t) => t.kind === ';').length} login modules, should be 1 module`);
  }
  return { loginModule: loginModule.value, controlFlag: flag.value.toLowerCase(), options };
}

/** PlainLoginModule's user database: every `user_<name>="<password>"` option. */
export function plainUsers(entry: JaasEntry): Map<string, string> {
  const users = new Map<string, string>();
  for (const [key, value] of entry.options) {
    if (key.startsWith('user_')) users.set(key.slice('user_'.length), value);
  }
  return users;
}
