// LogStorage in a data directory:
//   <dataDir>/<topic>-<partition>/   one FileLog per partition (segments, indexes, checkpoints)
//   <dataDir>/topics/<topic>.json    {"name","topicId","partitions","configs"} per topic, replaced atomically
// A topic's metadata file is what makes it exist. Deletion renames the partition directories to
// <topic>-<partition>.<id>-delete (as Kafka does), drops the metadata, then removes the
// directories; leftovers of an interrupted deletion are removed at the next start.
//   <dataDir>/.kafka_cleanshutdown   written by close() once every log is closed (Kafka's name);
// found at start-up it lets the logs open without recovery, and it is deleted (durably) before
// anything can be written.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { fsyncDir, writeFileAtomic } from './atomic-file.js';
import { openFileLog, type FileLogOptions } from './file-log.js';
import type { LogConfig } from './log-config.js';
import type { LogStorage, TopicInfo } from './log-storage.js';
import type { PartitionLog } from './partition-log.js';

const TOPICS_DIR = 'topics';
const CLEAN_SHUTDOWN_MARKER = '.kafka_cleanshutdown';
const DELETED_DIR = /-delete$/;
const PARTITION_DIR = /^(.+)-(\d+)$/;
/** The longest file name most file systems take, in bytes (topic names are ASCII). */
const MAX_FILE_NAME = 255;

function isTopicInfo(value: unknown): value is TopicInfo {
  const t = value as TopicInfo;
  return (
    typeof t === 'object' && t !== null && typeof t.name === 'string' && typeof t.topicId === 'string' &&
    Number.isInteger(t.partitions) && t.partitions > 0 && typeof t.configs === 'object' && t.configs !== null &&
    Object.values(t.configs).every((v) => typeof v === 'string')
  );
}

export class FileStorage implements LogStorage {
  private readonly topicsDir: string;
  private readonly marker: string;
  /** Partition directories closed by a clean shutdown and not opened yet. */
  private readonly cleanDirs = new Set<string>();

  constructor(
    private readonly dataDir: string,
    private readonly logger: Logger,
    private readonly options: FileLogOptions = {},
  ) {
    this.topicsDir = join(dataDir, TOPICS_DIR);
    this.marker = join(dataDir, CLEAN_SHUTDOWN_MARKER);
  }

  async loadTopics(): Promise<TopicInfo[]> {
    mkdirSync(this.topicsDir, { recursive: true });
    const entries = readdirSync(this.dataDir);
    await Promise.all(entries.filter((e) => DELETED_DIR.test(e)).map((e) => this.removeDir(e)));
    // Atomic writes a crash interrupted (topic metadata, the clean-shutdown marker) left these behind.
    for (const dir of [this.dataDir, this.topicsDir]) {
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.tmp'))) unlinkSync(join(dir, name));
    }
    const topics: TopicInfo[] = [];
    for (const file of readdirSync(this.topicsDir).filter((f) => f.endsWith('.json'))) {
      try {
        const topic: unknown = JSON.parse(readFileSync(join(this.topicsDir, file), 'utf8'));
        if (!isTopicInfo(topic) || `${topic.name}.json` !== file) throw new Error('unexpected content');
        topics.push(topic);
      } catch (err) {
        this.logger.error({ err, file }, 'ignoring unreadable topic metadata');
      }
    }
    const known = new Set(topics.flatMap((t) => Array.from({ length: t.partitions }, (_, p) => `${t.name}-${p}`)));
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
    return topics;
  }

  saveTopic(topic: TopicInfo): Promise<void> {
    return writeFileAtomic(join(this.topicsDir, `${topic.name}.json`), `${JSON.stringify(topic, null, 2)}\n`);
  }

  openLog(topic: string, partition: number, config: LogConfig): Promise<PartitionLog> {
    const name = `${topic}-${partition}`;
    const options = { ...this.options, cleanShutdown: this.cleanDirs.delete(name) };
    return Promise.resolve(openFileLog(join(this.dataDir, name), config, this.logger.child({ topic, partition }), options));
  }

  close(): Promise<void> {
    return writeFileAtomic(this.marker, '');
  }

  async removeTopic(topic: TopicInfo): Promise<void> {
    const tag = randomUUID().replace(/-/g, '');
    const doomed: string[] = [];
    for (let p = 0; p < topic.partitions; p++) {
      // As Kafka: the topic name is cut so that the name stays within 255 bytes.
      const suffix = `-${p}.${tag}-delete`;
      const target = `${topic.name.slice(0, MAX_FILE_NAME - suffix.length)}${suffix}`;
      try {
        renameSync(join(this.dataDir, `${topic.name}-${p}`), join(this.dataDir, target));
        doomed.push(target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    unlinkSync(join(this.topicsDir, `${topic.name}.json`));
    await Promise.all(doomed.map((d) => this.removeDir(d)));
  }

  private async removeDir(name: string): Promise<void> {
    try {
      await rm(join(this.dataDir, name), { recursive: true, force: true });
    } catch (err) {
      this.logger.error({ err, dir: name }, 'removing deleted partition directory failed');
    }
  }
}
