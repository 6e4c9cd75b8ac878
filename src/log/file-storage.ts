// LogStorage in a data directory:
//   <dataDir>/<topic>-<partition>/   one FileLog per partition (segments, indexes, checkpoints)
// The topics themselves are in the metadata store (src/metadata/file-metadata-store.ts).
// Deletion renames the partition directories to <topic>-<partition>.<id>-delete (as Kafka does),
// drops the topic's metadata, then removes the directories; a partition this broker no longer
// hosts goes the same way, alone. Leftovers of an interrupted deletion are removed at the next start.
//   <dataDir>/recovery-point-offset-checkpoint   every partition's recovery point (recovery-point-file.ts);
// a deleted partition's is removed before its directory is.
//   <dataDir>/.kafka_cleanshutdown   written by close() once every log is closed (Kafka's name);
// found at start-up it lets the logs open without recovery, and it is deleted (durably) before
// anything can be written.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, unlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { fsyncDir, writeFileAtomic } from './atomic-file.js';
import { openFileLog, type FileLogOptions } from './file-log.js';
import type { LogConfig } from './log-config.js';
import type { LogStorage, TopicLogs } from './log-storage.js';
import type { PartitionLog } from './partition-log.js';
import { PARTITION_DIR, RecoveryPointFile } from './recovery-point-file.js';

const CLEAN_SHUTDOWN_MARKER = '.kafka_cleanshutdown';
const DELETED_DIR = /-delete$/;
/** The longest file name most file systems take, in bytes (topic names are ASCII). */
const MAX_FILE_NAME = 255;

export class FileStorage implements LogStorage {
  private readonly marker: string;
  /** Partition directories closed by a clean shutdown and not opened yet. */
  private readonly cleanDirs = new Set<string>();
  private recoveryPoints: RecoveryPointFile | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly logger: Logger,
    private readonly options: FileLogOptions = {},
  ) {
    this.marker = join(dataDir, CLEAN_SHUTDOWN_MARKER);
  }

  async open(topics: readonly TopicLogs[]): Promise<void> {
    mkdirSync(this.dataDir, { recursive: true });
    const entries = readdirSync(this.dataDir);
    await Promise.all(entries.filter((e) => DELETED_DIR.test(e)).map((e) => this.removeDir(e)));
    // Atomic writes a crash interrupted (the clean-shutdown marker, metadata files) left these behind.
    for (const name of readdirSync(this.dataDir).filter((n) => n.endsWith('.tmp'))) unlinkSync(join(this.dataDir, name));
    const known = new Set(topics.flatMap((t) => Array.from({ length: t.partitions }, (_, p) => `${t.name}-${p}`)));
    this.recoveryPoints = new RecoveryPointFile(this.dataDir);
    this.recoveryPoints.retain(known);
    for (const entry of entries) {
      if (PARTITION_DIR.test(entry) && !DELETED_DIR.test(entry) && !known.has(entry)) {
        this.logger.warn({ dir: entry }, 'partition directory of no known topic; leaving it alone');
      }
    }
    const clean = existsSync(this.marker);
    if (clean) {
      for (const dir of known) this.cleanDirs.add(dir);
      unlinkSync(this.marker);
      await fsyncDir(this.dataDir);
    }
    if (topics.length > 0) {
      this.logger.info({ cleanShutdown: clean, topics: topics.length }, clean ? 'opening logs closed by a clean shutdown' : 'no clean shutdown marker: logs recover past their recovery points');
    }
  }

  openLog(topic: string, partition: number, config: LogConfig): Promise<PartitionLog> {
    const name = `${topic}-${partition}`;
    const options = { ...this.options, cleanShutdown: this.cleanDirs.delete(name), recoveryPoints: this.points };
    return Promise.resolve(openFileLog(join(this.dataDir, name), config, this.logger.child({ topic, partition }), options));
  }

  close(): Promise<void> {
    return writeFileAtomic(this.marker, '');
  }

  async removeTopic(topic: TopicLogs, forget: () => Promise<void>): Promise<void> {
    const tag = randomUUID().replace(/-/g, '');
    const doomed: string[] = [];
    for (let p = 0; p < topic.partitions; p++) {
      const target = this.detach(topic.name, p, tag);
      if (target !== undefined) doomed.push(target);
    }
    await this.forgetRecoveryPoints(Array.from({ length: topic.partitions }, (_, p) => `${topic.name}-${p}`));
    await forget();
    await Promise.all(doomed.map((d) => this.removeDir(d)));
  }

  async removeLog(topic: string, partition: number): Promise<void> {
    const target = this.detach(topic, partition, randomUUID().replace(/-/g, ''));
    await this.forgetRecoveryPoints([`${topic}-${partition}`]);
    if (target !== undefined) await this.removeDir(target);
  }

  private get points(): RecoveryPointFile {
    if (this.recoveryPoints === undefined) throw new Error('FileStorage used before open()');
    return this.recoveryPoints;
  }

  /**
   * A failure is logged, not thrown: a partition created later under the same name saves its own
   * point when it opens (it has no data past it), so the deletion need not wait for this one.
   */
  private async forgetRecoveryPoints(names: readonly string[]): Promise<void> {
    try {
      await Promise.all(names.map((name) => this.points.remove(name)));
    } catch (err) {
      this.logger.error({ err }, 'saving recovery points without deleted partitions failed');
    }
  }

  /**
   * Renames a partition's directory to its `-delete` name (what start-up removes, should removal
   * not finish); returns that name, or undefined when the partition has no directory.
   */
  private detach(topic: string, partition: number, tag: string): string | undefined {
    // As Kafka: the topic name is cut so that the name stays within 255 bytes.
    const suffix = `-${partition}.${tag}-delete`;
    const target = `${topic.slice(0, MAX_FILE_NAME - suffix.length)}${suffix}`;
    try {
      renameSync(join(this.dataDir, `${topic}-${partition}`), join(this.dataDir, target));
      return target;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return undefined;
    }
  }

  private async removeDir(name: string): Promise<void> {
    try {
      await rm(join(this.dataDir, name), { recursive: true, force: true });
    } catch (err) {
      this.logger.error({ err, dir: name }, 'removing deleted partition directory failed');
    }
  }
}
