// Where a partition keeps snapshots of state derived from its log (the producer state of
// src/txn/): opaque bytes, each named by the log offset it was taken at. The file backend keeps
// them as <offset>.snapshot files in the partition directory, as Kafka does; the memory backend
// keeps none (its logs start empty); another backend (PostgreSQL) would keep rows.
export interface SnapshotStore {
  /** Offsets of the stored snapshots, ascending. */
  list(): Promise<number[]>;
  /** The snapshot taken at `offset`; undefined when it is gone. */
  read(offset: number): Promise<Buffer | undefined>;
  /** Saves (atomically, durably) the snapshot taken at `offset`, replacing any at the same offset. */
  write(offset: number, data: Buffer): Promise<void>;
  delete(offset: number): Promise<void>;
}

/** A backend that persists nothing. */
export const NO_SNAPSHOTS: SnapshotStore = {
  list: () => Promise.resolve([]),
  read: () => Promise.resolve(undefined),
  write: () => Promise.resolve(),
  delete: () => Promise.resolve(),
};
