// Producer id allocation. Ids are handed out from blocks; the start of the next block is written
// to <dataDir>/producer-ids.json before any id of the current block is used, so no id is ever
// handed out twice across restarts (a crash skips the rest of a block, as Kafka's blocks do).
import { join } from 'node:path';
import { readIfExists, writeFileAtomic } from '../log/atomic-file.js';

export const PRODUCER_ID_BLOCK_SIZE = 1000;

export class ProducerIdManager {
  private next: number;
  private blockEnd: number;
  private reserving: Promise<void> | undefined;

  private constructor(
    private readonly file: string | null,
    start: number,
  ) {
    this.next = start;
    this.blockEnd = start;
  }

  /** Opens the allocator; `dataDir` null keeps it in memory. */
  static open(dataDir: string | null): ProducerIdManager {
    const file = dataDir === null ? null : join(dataDir, 'producer-ids.json');
    const stored = file === null ? undefined : readIfExists(file);
    const start = stored ? (JSON.parse(stored.toString('utf8')) as { nextBlockStart: number }).nextBlockStart : 0;
    return new ProducerIdManager(file, start);
  }

  async generate(): Promise<number> {
    while (this.next >= this.blockEnd) {
      this.reserving ??= this.reserveBlock().finally(() => (this.reserving = undefined));
      await this.reserving;
    }
    return this.next++;
  }

  private async reserveBlock(): Promise<void> {
    const end = this.next + PRODUCER_ID_BLOCK_SIZE;
    if (this.file !== null) await writeFileAtomic(this.file, JSON.stringify({ nextBlockStart: end }));
    this.blockEnd = end;
  }
}
