// Collected figures: the console table, the JSON file (--json) and test/bench/RESULTS.md
// (--write-results). Each figure carries the ceiling it is compared with and the command that
// reproduces it.
import { writeFileSync } from 'node:fs';

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
  command: string;
}

export interface FigureInput {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  ceiling?: { name: string; value: number };
  target?: { text: string; met: (f: { value: number; ratio: number | null }) => boolean };
}

export class Results {
  readonly figures: Figure[] = [];

  constructor(private readonly commandFor: (group: string) => string) {}

  add(group: string, input: FigureInput): Figure {
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
      command: this.commandFor(group),
    };
    this.figures.push(figure);
    console.log(formatLine(figure));
    return figure;
  }

  note(group: string, scenario: string, text: string): void {
    this.figures.push({ scenario, metric: text, value: Number.NaN, unit: '', ceilingName: null, ceiling: null, ratio: null, target: null, met: null, command: this.commandFor(group) });
    console.log(`  ${scenario}: ${text}`);
  }

  writeJson(path: string, meta: Record<string, unknown>): void {
    writeFileSync(path, JSON.stringify({ ...meta, figures: this.figures }, null, 2) + '\n');
  }

  writeMarkdown(path: string, header: string): void {
    const rows = this.figures.map((f) =>
      [f.scenario, f.metric, Number.isNaN(f.value) ? '' : `${fmt(f.value)} ${f.unit}`, f.ceiling === null ? '' : `${fmt(f.ceiling)} ${f.unit} (${f.ceilingName})`, f.ratio === null ? '' : pct(f.ratio), f.target === null ? '' : `${f.target}: ${f.met ? 'met' : '**not met**'}`, `\`${f.command}\``]
        .map((c) => c.replace(/\|/g, '\\|'))
        .join(' | '),
    );
    const table = ['| scenario | metric | value | ceiling | ratio | target | reproduce |', '|---|---|---|---|---|---|---|', ...rows.map((r) => `| ${r} |`)];
    writeFileSync(path, `${header}\n\n${table.join('\n')}\n`);
  }
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(v === Math.round(v) ? 0 : 2);
}

export const pct = (r: number): string => `${(r * 100).toFixed(0)}%`;

function formatLine(f: Figure): string {
  const ceiling = f.ceiling === null ? '' : `  | ceiling ${fmt(f.ceiling)} ${f.unit} (${f.ceilingName}) → ${pct(f.ratio ?? 0)}`;
  const target = f.target === null ? '' : `  [${f.target}: ${f.met ? 'met' : 'NOT MET'}]`;
  return `  ${f.scenario} — ${f.metric}: ${fmt(f.value)} ${f.unit}${ceiling}${target}`;
}
