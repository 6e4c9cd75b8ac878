// Generates protocol/schema/*.ts, Creek's message definitions, from a directory of Apache Kafka
// JSON message specs (`npm run generate:schemas` takes them from Kafka's kafka-clients jar, see
// from-kafka-jar.ts). Usage: tsx protocol/generator/generate.ts <spec-dir> <out-dir>
// Files it generated before and does not generate now (an API renamed or dropped) are removed.
// The specs are read as reference facts; the output is our own format (see codec/schema-types.ts)
// with typed interfaces. Run it again when the specs move to a newer Kafka release.
import { readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

interface SpecField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string;
  flexibleVersions?: string;
  fields?: SpecField[];
}
interface SpecMessage {
  apiKey?: number;
  type: string;
  name: string;
  listeners?: string[];
  validVersions: string;
  latestVersionUnstable?: boolean;
  flexibleVersions: string;
  fields: SpecField[];
  commonStructs?: { name: string; versions: string; fields: SpecField[] }[];
}

/** API keys a broker listener answers (controller-only keys are not Creek's to define). */
const isClientFacing = (m: SpecMessage): boolean => m.apiKey !== undefined && (m.listeners ?? []).includes('broker');

const camel = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
const kebab = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
const PRIMITIVES = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'uuid', 'string', 'bytes', 'records']);
const INT_TYPES = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64']);

function readSpec(path: string): SpecMessage {
  const text = readFileSync(path, 'utf8').replace(/^\s*\/\/.*$/gm, '');
  return JSON.parse(text) as SpecMessage;
}

function parseDefault(field: SpecField, type: string): number | string | boolean | null | undefined {
  const d = field.default;
  if (d === undefined) return undefined;
  if (d === 'null') return null;
  if (type === 'bool') return d === 'true';
  if (INT_TYPES.has(type)) return Number(d);
  return d;
}

/** Output of one message: field definitions (as TS source) and interfaces. */
class MessageEmitter {
  readonly interfaces: string[] = [];
  private readonly named = new Set<string>();
  constructor(
    private readonly spec: SpecMessage,
    private readonly isResponse: boolean,
  ) {}

  fields(fields: SpecField[], iface: string, indent: string): string {
    const members: string[] = [];
    const defs = fields.map((f) => this.field(f, iface, indent, members));
    this.interfaces.push(`export interface ${iface} {\n${members.join('\n')}\n}`);
    return defs.length === 0 ? '[]' : `[\n${defs.join(',\n')},\n${indent.slice(2)}]`;
  }

  private field(f: SpecField, parent: string, indent: string, members: string[]): string {
    const isArray = f.type.startsWith('[]');
    const base = isArray ? f.type.slice(2) : f.type;
    const parts = [`name: '${camel(f.name)}'`];
    let tsType: string;
    if (PRIMITIVES.has(base)) {
      parts.push(`type: '${base}'`);
      tsType = this.tsPrimitive(base);
    } else {
      const sub = f.fields ?? this.spec.commonStructs?.find((c) => c.name === base)?.fields;
      if (!sub) throw new Error(`${this.spec.name}.${f.name}: unknown type ${f.type}`);
      let iface = `${this.spec.name}${base}`;
      if (this.named.has(iface)) iface = `${parent}${base}`;
      this.named.add(iface);
      parts.push(`type: 'struct'`);
      tsType = iface;
      const nested = this.fields(sub, iface, indent + '    ');
      parts.push(`fields: ${nested}`);
    }
    if (isArray) parts.splice(2, 0, 'array: true');
    parts.splice(isArray ? 3 : 2, 0, `versions: '${f.versions}'`);
    if (f.nullableVersions) parts.push(`nullable: '${f.nullableVersions}'`);
    if (f.tag !== undefined) parts.push(`tag: ${f.tag}`, `tagged: '${f.taggedVersions ?? f.versions}'`);
    const def = parseDefault(f, base);
    if (def !== undefined) parts.push(`default: ${JSON.stringify(def)}`);
    if (f.flexibleVersions) parts.push(`flexible: '${f.flexibleVersions}'`);
    // `fields` reads best last.
    const fieldsIdx = parts.findIndex((p) => p.startsWith('fields:'));
    if (fieldsIdx >= 0) parts.push(parts.splice(fieldsIdx, 1)[0]!);

    let full = isArray ? `${wrap(tsType)}[]` : tsType;
    if (f.nullableVersions) full += ' | null';
    const minVersion = Number(this.spec.validVersions.split('-')[0]);
    const since = Number(f.versions.replace(/[+].*|-.*/, ''));
    const optional = this.isResponse && (f.tag !== undefined || since > minVersion);
    members.push(`  ${camel(f.name)}${optional ? '?' : ''}: ${full};`);
    return `${indent}{ ${parts.join(', ')} }`;
  }

  private tsPrimitive(t: string): string {
    if (t === 'bool') return 'boolean';
    if (INT_TYPES.has(t)) return 'number';
    if (t === 'uuid' || t === 'string') return 'string';
    if (t === 'bytes') return 'Buffer';
    return this.isResponse ? 'Records' : 'Buffer';
  }
}

const wrap = (t: string): string => (t.includes('|') ? `(${t})` : t);

function emitApi(req: SpecMessage, res: SpecMessage): { file: string; source: string; name: string; varName: string } {
  const apiName = req.name.replace(/Request$/, '');
  const reqE = new MessageEmitter(req, false);
  const resE = new MessageEmitter(res, true);
  const reqFields = reqE.fields(req.fields, req.name, '    ');
  const resFields = resE.fields(res.fields, res.name, '    ');
  const [min, max] = req.validVersions.split('-').map(Number) as [number, number];
  const flex = req.flexibleVersions === 'none' ? 'null' : String(parseInt(req.flexibleVersions, 10));
  const varName = camel(apiName);
  const usesRecords = resFields.includes("'records'");
  const source = `// Generated by protocol/generator/generate.ts from Kafka's ${req.name}/${res.name} specs.
// Do not edit by hand: change the generator and run \`npm run generate:schemas\`.
import type { ApiDef } from '../codec/schema-types.js';
${usesRecords ? "import type { Records } from '../codec/records-field.js';\n" : ''}
${[...reqE.interfaces].reverse().join('\n\n')}

${[...resE.interfaces].reverse().join('\n\n')}

export const ${varName}: ApiDef = {
  apiKey: ${req.apiKey},
  name: '${apiName}',
  minVersion: ${min},
  maxVersion: ${max ?? min},
  flexibleFrom: ${flex},${req.latestVersionUnstable ? '\n  latestVersionUnstable: true,' : ''}
  request: {
    name: '${req.name}',
    fields: ${reqFields},
  },
  response: {
    name: '${res.name}',
    fields: ${resFields},
  },
};
`;
  return { file: `${String(req.apiKey).padStart(2, '0')}-${kebab(apiName)}.ts`, source, name: apiName, varName };
}

/** Embedded, version-prefixed data schemas clients put inside group messages. */
const DATA_SPECS = ['ConsumerProtocolSubscription', 'ConsumerProtocolAssignment'];

function emitData(spec: SpecMessage): { file: string; source: string; varName: string } {
  const emitter = new MessageEmitter(spec, true);
  const fields = emitter.fields(spec.fields, spec.name, '  ');
  const [min, max] = spec.validVersions.split('-').map(Number) as [number, number];
  const flex = spec.flexibleVersions === 'none' ? 'null' : String(parseInt(spec.flexibleVersions, 10));
  const varName = camel(spec.name);
  const source = `// Generated by protocol/generator/generate.ts from Kafka's ${spec.name} spec.
// Do not edit by hand: change the generator and run \`npm run generate:schemas\`.
import type { DataDef } from '../codec/schema-types.js';

${[...emitter.interfaces].reverse().join('\n\n')}

export const ${varName}: DataDef = {
  name: '${spec.name}',
  minVersion: ${min},
  maxVersion: ${max ?? min},
  flexibleFrom: ${flex},
  fields: ${fields},
};
`;
  return { file: `${kebab(spec.name)}.ts`, source, varName };
}

function main(): void {
  const [specDir, outDir] = process.argv.slice(2);
  if (!specDir || !outDir) throw new Error('usage: generate.ts <spec-dir> <out-dir>');
  mkdirSync(outDir, { recursive: true });
  const requests = readdirSync(specDir)
    .filter((f) => f.endsWith('Request.json'))
    .map((f) => readSpec(join(specDir, f)))
    .filter(isClientFacing)
    .sort((a, b) => a.apiKey! - b.apiKey!);
  const index: { file: string; name: string; varName: string; key: number }[] = [];
  for (const req of requests) {
    const res = readSpec(join(specDir, req.name.replace(/Request$/, 'Response.json')));
    const out = emitApi(req, res);
    writeFileSync(join(outDir, out.file), out.source);
    index.push({ ...out, key: req.apiKey! });
  }
  const imports = index
    .map((a) => `import { ${a.varName}, type ${a.name}Request, type ${a.name}Response } from './${a.file.replace(/\.ts$/, '.js')}';`)
    .join('\n');
  const indexSource = `// Generated by protocol/generator/generate.ts: every API Creek defines, by key.
import type { ApiDef } from '../codec/schema-types.js';
${imports}

${index.map((a) => `export * from './${a.file.replace(/\.ts$/, '.js')}';`).join('\n')}

export const apiDefs: readonly ApiDef[] = [${index.map((a) => a.varName).join(', ')}];

export const ApiKey = {
${index.map((a) => `  ${a.name}: ${a.key},`).join('\n')}
} as const;
export type ApiKey = (typeof ApiKey)[keyof typeof ApiKey];

/** Request and response types by API key. */
export interface ApiMessages {
${index.map((a) => `  ${a.key}: { request: ${a.name}Request; response: ${a.name}Response };`).join('\n')}
}
`;
  const data = DATA_SPECS.map((name) => emitData(readSpec(join(specDir, `${name}.json`))));
  for (const d of data) writeFileSync(join(outDir, d.file), d.source);
  const dataExports = data.map((d) => `export * from './${d.file.replace(/\.ts$/, '.js')}';`).join('\n');
  writeFileSync(join(outDir, 'index.ts'), `${indexSource}\n// Embedded data schemas.\n${dataExports}\n`);
  const written = new Set(['index.ts', ...index.map((a) => a.file), ...data.map((d) => d.file)]);
  for (const file of readdirSync(outDir)) {
    if (!written.has(file) && file.endsWith('.ts') && readFileSync(join(outDir, file), 'utf8').startsWith('// Generated by protocol/generator/generate.ts')) rmSync(join(outDir, file));
  }
  console.log(`generated ${index.length} APIs and ${data.length} data schemas into ${outDir}`);
}

main();
