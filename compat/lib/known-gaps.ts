// compat/known-gaps.json (and, for a cluster, known-gaps-cluster.json): scenarios expected to
// fail because their feature has not landed yet, each with the reason. Keys are scenario ids
// ("kafkajs/transactions") or "*/<feature>" for every client.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface Entry {
  reason: string;
  /** The file listing it, named in messages about it. */
  file: string;
}

export class KnownGaps {
  private constructor(private readonly entries: ReadonlyMap<string, Entry>) {}

  /** The entries of every file; a later file's entry for the same key wins. */
  static load(...paths: string[]): KnownGaps {
    const entries = new Map<string, Entry>();
    for (const path of paths) {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${path}: expected an object of scenario id → reason`);
      for (const [key, reason] of Object.entries(parsed)) {
        if (typeof reason !== 'string') throw new Error(`${path}: the reason for "${key}" must be a string`);
        entries.set(key, { reason, file: `compat/${basename(path)}` });
      }
    }
    return new KnownGaps(entries);
  }

  static none(): KnownGaps {
    return new KnownGaps(new Map());
  }

  /** The entry key, reason and file covering a scenario id, if any. */
  lookup(scenarioId: string): { key: string; reason: string; file: string } | undefined {
    const feature = scenarioId.slice(scenarioId.indexOf('/') + 1);
    for (const key of [scenarioId, `*/${feature}`]) {
      const entry = this.entries.get(key);
      if (entry !== undefined) return { key, ...entry };
    }
    return undefined;
  }

  /** Entries that match none of the given scenario ids (stale entries), with their files. */
  unmatched(scenarioIds: readonly string[]): { key: string; file: string }[] {
    const used = new Set(scenarioIds.map((id) => this.lookup(id)?.key));
    return [...this.entries].filter(([key]) => !used.has(key)).map(([key, { file }]) => ({ key, file }));
  }
}
