// Collected figures: the console table, the JSON file (--json) and test/bench/RESULTS.md
// (--write-results). Each figure carries the ceiling it is compared with and the command that
// reproduces it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { VERSUS_TARGETS, formatRatio, versusRatio, type VersusKind } from './versus.js';

export interface Figure {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  /** The reference it is measured against, and its value in the same unit. */
  ceilingName: string | null;
  ceiling: number | null;
  ratio: number | null;
  /** A target from issue #7, e.g. ">= 70% of ceiling", and whether this run met it. */
  target: string | null;
  met: boolean | null;
  /** With --against kafka: Apache Kafka's figure for the same shape (value is Creek's; ratio is Creek / Kafka). */
  kafka: number | null;
  /** The kind of Creek-vs-Kafka target the figure is judged by, if any. */
  kind: VersusKind | null;
  command: string;
}

export interface FigureInput {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  ceiling?: { name: string; value: number };
  target?: { text: string; met: (f: { value: number; ratio: number | null }) => boolean };
  /** Kafka's figure for the same shape, and the target kind it is judged by (none: shown only). */
  kafka?: { value: number; kind?: VersusKind };
}

export class Results {
  readonly figures: Figure[] = [];

  constructor(private readonly commandFor: (group: string) => string) {}

  add(group: string, input: FigureInput): Figure {
    if (input.kafka) return this.addVersus(group, input, input.kafka);
    const ratio = input.ceiling && input.ceiling.value > 0 ? input.value / input.ceiling.value : null;
    const figure: Figure = {
      scenario: input.scenario,
      metric: input.metric,
      value: input.value,
      unit: input.unit,
      ceilingName: input.ceiling?.name ?? null,
      ceiling: input.ceiling?.value ?? null,
      ratio,
      target: input.target?.text ?? null,
      met: input.target ? input.target.met({ value: input.value, ratio }) : null,
      kafka: null,
      kind: null,
      command: this.commandFor(group),
    };
    this.figures.push(figure);
    console.log(formatLine(figure));
    return figure;
  }

  private addVersus(group: string, input: FigureInput, kafka: { value: number; kind?: VersusKind }): Figure {
    const ratio = versusRatio(input.value, kafka.value);
    const target = kafka.kind ? VERSUS_TARGETS[kafka.kind] : null;
    const figure: Figure = {
      scenario: input.scenario,
      metric: input.metric,
      value: input.value,
      unit: input.unit,
      ceilingName: null,
      ceiling: null,
      ratio: Number.isFinite(ratio) ? ratio : null,
      target: target?.text ?? null,
      // A figure missing on either side judges nothing.
      met: target && Number.isFinite(ratio) ? target.met(ratio) : null,
      kafka: kafka.value,
      kind: kafka.kind ?? null,
      command: this.commandFor(group),
    };
    this.figures.push(figure);
    console.log(formatLine(figure));
    return figure;
  }

  note(group: string, scenario: string, text: string): void {
    this.figures.push({ scenario, metric: text, value: Number.NaN, unit: '', ceilingName: null, ceiling: null, ratio: null, target: null, met: null, kafka: null, kind: null, command: this.commandFor(group) });
    console.log(`  ${scenario}: ${text}`);
  }

  writeJson(path: string, meta: Record<string, unknown>): void {
    writeFileSync(path, JSON.stringify({ ...meta, figures: this.figures }, null, 2) + '\n');
  }

  /**
   * The Creek-vs-Kafka figures as a section of `path` (from `heading` to the next "## " heading or
   * the end), replacing that section if the file has it and appending it otherwise.
   */
  writeVersusMarkdown(path: string, heading: string, intro: string): void {
    const rows = this.figures
      .filter((f) => f.kafka !== null || Number.isNaN(f.value))
      .map((f) =>
        [f.scenario, f.metric, Number.isNaN(f.value) ? '' : `${fmt(f.value)} ${f.unit}`, f.kafka === null || Number.isNaN(f.kafka) ? '' : `${fmt(f.kafka)} ${f.unit}`, f.kafka === null ? '' : formatRatio(f.ratio), f.target === null ? '' : `${f.target}: ${f.met === null ? 'n/a' : f.met ? 'met' : '**not met**'}`]
          .map((c) => c.replace(/\|/g, '\\|'))
          .join(' | '),
      );
    const section = [heading, '', intro, '', '| scenario | metric | Creek | Kafka | Creek / Kafka | target |', '|---|---|---|---|---|---|', ...rows.map((r) => `| ${r} |`), ''].join('\n');
    const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
    writeFileSync(path, replaceSection(old, heading, section));
  }

  writeMarkdown(path: string, header: string): void {
    const rows = this.figures.map((f) =>
      [f.scenario, f.metric, Number.isNaN(f.value) ? '' : `${fmt(f.value)} ${f.unit}`, f.ceiling === null ? '' : `${fmt(f.ceiling)} ${f.unit} (${f.ceilingName})`, f.ratio === null ? '' : pct(f.ratio), f.target === null ? '' : `${f.target}: ${f.met ? 'met' : '**not met**'}`, `\`${f.command}\``]
        .map((c) => c.replace(/\|/g, '\\|'))
        .join(' | '),
    );
    const table = ['| scenario | metric | value | ceiling | ratio | target | reproduce |', '|---|---|---|---|---|---|---|', ...rows.map((r) => `| ${r} |`)];
    // The file opens with this table; sections after it (the run against Kafka) are kept.
    const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
    const sections = old.indexOf('\n## ');
    writeFileSync(path, `${header}\n\n${table.join('\n')}\n${sections === -1 ? '' : old.slice(sections)}`);
  }
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(v === Math.round(v) ? 0 : 2);
}

export const pct = (r: number): string => `${(r * 100).toFixed(0)}%`;

/** `text` with the section starting at the line `heading` replaced by `section` (appended when absent). */
export function replaceSection(text: string, heading: string, section: string): string {
  const start = text.startsWith(heading + '\n') ? 0 : text.indexOf('\n' + heading + '\n') + 1;
  if (start === 0 && !text.startsWith(heading + '\n')) return `${text}${text === '' || text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n'}${section}`;
  const next = text.indexOf('\n## ', start + heading.length);
  return text.slice(0, start) + section + (next === -1 ? '' : text.slice(next));
}

function formatLine(f: Figure): string {
  if (f.kafka !== null) {
    const target = f.target === null ? '' : `  [${f.target}: ${f.met === null ? 'n/a' : f.met ? 'met' : 'NOT MET'}]`;
    return `  ${f.scenario} — ${f.metric}: Creek ${fmt(f.value)} ${f.unit} | Kafka ${fmt(f.kafka)} ${f.unit} | Creek/Kafka ${formatRatio(f.ratio)}${target}`;
  }
  const ceiling = f.ceiling === null ? '' : `  | ceiling ${fmt(f.ceiling)} ${f.unit} (${f.ceilingName}) → ${pct(f.ratio ?? 0)}`;
  const target = f.target === null ? '' : `  [${f.target}: ${f.met ? 'met' : 'NOT MET'}]`;
  return `  ${f.scenario} — ${f.metric}: ${fmt(f.value)} ${f.unit}${ceiling}${target}`;
}
