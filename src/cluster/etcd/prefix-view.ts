// A local copy of the keys under one etcd prefix, kept current: one range read, then a watch that
// starts right after the revision read, so no change is missed. When the watch breaks (etcd
// restarted or unreachable) the copy stays as it was; once etcd answers again it is read afresh,
// the differences are reported as changes, and the watch resumes after that read. The metadata
// store and the broker membership both see etcd through this one mechanism.
import type { Namespace, Watcher } from 'etcd3';
import type { Logger } from 'pino';

/** Between attempts to read the prefix again while etcd does not answer. */
const RETRY_MS = 500;

interface KeyValue {
  key: Buffer;
  value: Buffer;
  mod_revision: string;
}

/** A key (without the prefix) written (value) or deleted (null) at etcd revision `revision`. */
export type PrefixChange = (key: string, value: Buffer | null, revision: number) => void;

export class PrefixView {
  /** Mod revision of each key, by key without the prefix. */
  private readonly versions = new Map<string, number>();
  /** The etcd revision the view has caught up with. */
  private revision = 0;
  private readonly waiting = new Set<{ done: () => boolean; resolve: () => void; reject: (err: Error) => void }>();
  private watcher: Watcher | undefined;
  private reconnecting = false;
  private closed = false;

  private constructor(
    private readonly etcd: Namespace,
    private readonly prefix: string,
    private readonly onChange: PrefixChange,
    private readonly log: Logger,
  ) {}

  /** Reads the prefix (every key reported to onChange) and starts watching it. */
  static async open(etcd: Namespace, prefix: string, onChange: PrefixChange, log: Logger): Promise<PrefixView> {
    const view = new PrefixView(etcd, prefix, onChange, log);
    await view.load();
    return view;
  }

  /** Resolves once the view has seen etcd revision `revision` (a write of this prefix at it, or later). */
  reaches(revision: number): Promise<void> {
    return this.until(() => this.revision >= revision);
  }

  /** Resolves once `done()` holds, checked after each change the view applies. */
  until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('etcd view closed'));
    return new Promise<void>((resolve, reject) => this.waiting.add({ done, resolve, reject }));
  }

  /** Stops watching; pending waits fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting) w.reject(new Error('etcd view closed'));
    this.waiting.clear();
    await this.stopWatching();
  }

  private advance(revision: number): void {
    if (revision > this.revision) this.revision = revision;
    for (const w of this.waiting) {
      if (w.done()) {
        this.waiting.delete(w);
        w.resolve();
      }
    }
  }

  private apply(key: string, value: Buffer | null, revision: number): void {
    if (value === null) {
      if (!this.versions.delete(key)) return;
    } else {
      if (this.versions.get(key) === revision) return;
      this.versions.set(key, revision);
    }
    this.onChange(key, value, revision);
  }

  private async load(): Promise<void> {
    const res = await this.etcd.getAll().prefix(this.prefix).exec();
    const at = Number(res.header.revision);
    const present = new Set<string>();
    for (const kv of res.kvs as KeyValue[]) {
      const key = kv.key.toString().slice(this.prefix.length);
      present.add(key);
      this.apply(key, kv.value, Number(kv.mod_revision));
    }
    for (const key of [...this.versions.keys()]) if (!present.has(key)) this.apply(key, null, at);
    this.advance(at);
    this.watchFrom(at + 1);
  }

  private watchFrom(revision: number): void {
    // watcher() rather than create(): the listeners are in place before the first event, and a
    // watch that breaks before etcd confirmed it is noticed too.
    const watcher = this.etcd.watch().prefix(this.prefix).startRevision(String(revision)).watcher();
    this.watcher = watcher;
    const onKv = (kv: KeyValue, deleted: boolean): void => {
      if (this.watcher !== watcher) return;
      const revision = Number(kv.mod_revision);
      this.apply(kv.key.toString().slice(this.prefix.length), deleted ? null : kv.value, revision);
      this.advance(revision);
    };
    watcher
      .on('put', (kv) => onKv(kv as KeyValue, false))
      .on('delete', (kv) => onKv(kv as KeyValue, true))
      // A broken watch (etcd gone, or its revision compacted away) is replaced by a fresh read.
      .on('disconnected', (err: Error) => this.reconnect(watcher, err))
      .on('error', (err: Error) => this.reconnect(watcher, err));
  }

  private reconnect(watcher: Watcher, err: Error): void {
    if (this.watcher !== watcher || this.reconnecting || this.closed) return;
    this.reconnecting = true;
    this.log.warn({ err: err.message, prefix: this.prefix, revision: this.revision }, 'etcd watch lost: the local view stays as it is until etcd answers again');
    void (async () => {
      await this.stopWatching();
      while (!this.closed) {
        try {
          await this.load();
          this.log.info({ prefix: this.prefix, revision: this.revision }, 'etcd answers again: local view caught up');
          break;
        } catch {
          await new Promise((r) => setTimeout(r, RETRY_MS));
        }
      }
      this.reconnecting = false;
    })();
  }

  private async stopWatching(): Promise<void> {
    const watcher = this.watcher;
    this.watcher = undefined;
    if (watcher === undefined) return;
    watcher.removeAllListeners();
    watcher.on('error', () => undefined);
    // Cancelling waits for etcd's answer while the watch is connected; a watch etcd already
    // dropped may get none.
    await Promise.race([watcher.cancel().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}
