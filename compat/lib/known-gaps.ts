// compat/known-gaps.json: scenarios expected to fail because their feature has not landed yet,
// each with the reason. Keys are scenario ids ("kafkajs/transactions") or "*/<feature>" for
// every client.
import { readFileSync } from 'node:fs';

export class KnownGaps {
  private constructor(private readonly entries: ReadonlyMap<string, string>) {}

  static load(path: string): KnownGaps {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${path}: expected an object of scenario id → reason`);
    const entries = new Map<string, string>();
    for (const [key, reason] of Object.entries(parsed)) {
      if (typeof reason !== 'string') throw new Error(`${path}: the reason for "${key}" must be a string`);
      entries.set(key, reason);
    }
    return new KnownGaps(entries);
  }

  static none(): KnownGaps {
    return new KnownGaps(new Map());
  }

  /** The entry key and reason covering a scenario id, if any. */
  lookup(scenarioId: string): { key: string; reason: string } | undefined {
    const feature = scenarioId.slice(scenarioId.indexOf('/') + 1);
    for (const key of [scenarioId, `*/${feature}`]) {
      const reason = this.entries.get(key);
      if (reason !== undefined) return { key, reason };
    }
    return undefined;
  }

  /** Entry keys that match none of the given scenario ids (stale entries). */
  unmatched(scenarioIds: readonly string[]): string[] {
    const used = new Set(scenarioIds.map((id) => this.lookup(id)?.key));
    return [...this.entries.keys()].filter((key) => !used.has(key));
  }
}
