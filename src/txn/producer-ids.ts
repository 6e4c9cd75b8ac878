// Producer id allocation. Ids are handed out from blocks; a block is taken by moving the stored
// start of the next block past it (a compare-and-swap in the metadata store) before any id of it
// is used, so no id is ever handed out twice across restarts (a crash skips the rest of a block,
// as Kafka's blocks do), nor by two brokers sharing the store.
import { ABSENT, CLUSTER_KEY, MetadataConflict, type MetadataStore } from '../metadata/metadata-store.js';

export const PRODUCER_ID_BLOCK_SIZE = 1000;

export class ProducerIdManager {
  private next = 0;
  private blockEnd = 0;
  private reserving: Promise<void> | undefined;

  private constructor(private readonly metadata: MetadataStore) {}

  static open(metadata: MetadataStore): ProducerIdManager {
    return new ProducerIdManager(metadata);
  }

  async generate(): Promise<number> {
    while (this.next >= this.blockEnd) {
      this.reserving ??= this.reserveBlock().finally(() => (this.reserving = undefined));
      await this.reserving;
    }
    return this.next++;
  }

  private async reserveBlock(): Promise<void> {
    for (;;) {
      const stored = this.metadata.get('producerIdBlock', CLUSTER_KEY);
      const start = stored?.value.nextBlockStart ?? 0;
      const end = start + PRODUCER_ID_BLOCK_SIZE;
      try {
        await this.metadata.put('producerIdBlock', CLUSTER_KEY, { nextBlockStart: end }, stored?.version ?? ABSENT);
      } catch (err) {
        if (err instanceof MetadataConflict) continue;
        throw err;
      }
      this.next = start;
      this.blockEnd = end;
      return;
    }
  }
}
