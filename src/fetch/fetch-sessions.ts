// Incremental fetch sessions (KIP-227). A consumer that opens a session sends, after the first
// full fetch, only the partitions whose fetch position changed; the broker answers only with
// partitions that have news (data, a moved high watermark / last stable offset / log start, an
// error, or a diverging epoch). Sessions are evicted least-recently-used beyond a fixed count, as Kafka's cache.

export interface SessionPartition {
  topic: string;
  topicId: string;
  partition: number;
  fetchOffset: number;
  maxBytes: number;
  /** The leader epoch and the last fetched epoch the client sent with the partition (-1 for none). */
  currentLeaderEpoch: number;
  lastFetchedEpoch: number;
  /** What the last response told the client, to detect news. */
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
}

export const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class FetchSession {
  /** Epoch the next request must carry. */
  nextEpoch = 1;
  lastUsed = Date.now();
  readonly partitions = new Map<string, SessionPartition>();
  constructor(readonly id: number) {}
}

export const FINAL_EPOCH = -1;
export const INITIAL_EPOCH = 0;

export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();
  private nextId = 1;

  constructor(private readonly maxSessions = 1000) {}

  create(): FetchSession {
    if (this.sessions.size >= this.maxSessions) {
      // Map iteration order is insertion order, and get() re-inserts: the first is the LRU.
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    let id = this.nextId;
    this.nextId = this.nextId >= 0x7fffffff ? 1 : this.nextId + 1;
    while (this.sessions.has(id)) id++;
    const session = new FetchSession(id);
    this.sessions.set(id, session);
    return session;
  }

  get(id: number): FetchSession | undefined {
    const s = this.sessions.get(id);
    if (s) {
      this.sessions.delete(id);
      this.sessions.set(id, s);
      s.lastUsed = Date.now();
    }
    return s;
  }

  remove(id: number): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }
}
