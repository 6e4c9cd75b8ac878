// `creek consume TOPIC`: prints records as they arrive (kcat -C), with a group (-g) whose offsets
// it commits, or without one (a temporary group that commits nothing and is deleted on exit).
// Follows the topic until interrupted, unless -n COUNT or --exit (stop at the end) says otherwise.
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, KafkaMessage } from 'kafkajs';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, integer, parseCommand } from './args.js';
import { talkingTo, usageError } from './failure.js';
import { connectTo } from './kafka-client.js';
import { progressLine } from './progress.js';

export const CONSUME_USAGE = `Usage: creek consume TOPIC [options]
  -g, --group GROUP         consume as a member of GROUP and commit its offsets
  --from-beginning          with a group that has no committed offset: start at the earliest record
                            (without a group, consumption always starts at the earliest record)
  -o, --offset WHERE        start every partition at beginning, end, or an offset N
  --timestamp MS            start every partition at its first record with a timestamp at or after MS
                            (epoch milliseconds; a partition without one starts at its end)
  -n, --count COUNT         exit after COUNT records
  -e, --exit                exit at the end of the partitions (as they were when it started)
  -f, --format FORMAT       kcat-style: %t topic %p partition %o offset %k key %v (or %s) value
                            %T timestamp (ms) %h headers (k=v,...) %K/%S key/value length
                            \\n \\t \\\\ %% (default "%v\\n")
Options: -b, --bootstrap HOST:PORT (default 127.0.0.1:9092)   --json   one JSON object per record
${CONNECTION_USAGE}`;

interface Printable {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

function text(b: Buffer | null): string | null {
  return b === null ? null : b.toString('utf8');
}

function headersOf(message: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers ?? {})) out[k] = Array.isArray(v) ? v.map((x) => String(x)).join(',') : v === undefined ? '' : String(v);
  return out;
}

/** Renders one record with a kcat-style format string. */
export function formatRecord(format: string, { topic, partition, message }: Printable): string {
  return format.replace(/%[tpokvsTKSh%]|\\[nt\\]/g, (token) => {
    switch (token) {
      case '%t': return topic;
      case '%p': return String(partition);
      case '%o': return message.offset;
      case '%k': return text(message.key ?? null) ?? '';
      case '%v':
      case '%s': return text(message.value) ?? '';
      case '%T': return message.timestamp;
      case '%K': return String(message.key?.length ?? -1);
      case '%S': return String(message.value?.length ?? -1);
      case '%h': return Object.entries(headersOf(message)).map(([k, v]) => `${k}=${v}`).join(',');
      case '%%': return '%';
      case '\\n': return '\n';
      case '\\t': return '\t';
      default: return '\\';
    }
  });
}

function jsonRecord({ topic, partition, message }: Printable): string {
  return JSON.stringify({ topic, partition, offset: Number(message.offset), timestamp: Number(message.timestamp), key: text(message.key ?? null), value: text(message.value), headers: headersOf(message) });
}

/** Where consumption starts: --offset WHERE, or --timestamp MS. */
type Start = { offset: string } | { timestamp: number };

/** The first offset of each partition with a timestamp at or after `timestamp` (ListOffsets by timestamp), or its end. */
async function offsetsAtTimestamp(admin: Admin, topic: string, timestamp: number, ends: Map<number, { high: number }>): Promise<Map<number, number>> {
  const found = await admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
  return new Map(found.map((o) => [o.partition, Number(o.offset) >= 0 ? Number(o.offset) : ends.get(o.partition)!.high]));
}

/** Where each partition starts: an explicit start, the group's committed offset, or the reset policy. */
async function startPositions(admin: Admin, topic: string, groupId: string, start: Start | undefined, fromBeginning: boolean, ends: Map<number, { low: number; high: number }>): Promise<Map<number, number>> {
  const committed = new Map<number, number>();
  const [fetched] = await admin.fetchOffsets({ groupId, topics: [topic] });
  for (const p of fetched?.partitions ?? []) committed.set(p.partition, Number(p.offset));
  const byTime = start !== undefined && 'timestamp' in start ? await offsetsAtTimestamp(admin, topic, start.timestamp, ends) : undefined;
  const where = start !== undefined && 'offset' in start ? start.offset : undefined;
  const starts = new Map<number, number>();
  for (const [partition, { low, high }] of ends) {
    const explicit = byTime !== undefined ? (byTime.get(partition) ?? high) : where === 'beginning' ? low : where === 'end' ? high : where === undefined ? undefined : Number(where);
    const stored = committed.get(partition) ?? -1;
    starts.set(partition, explicit ?? (stored >= 0 ? stored : fromBeginning ? low : high));
  }
  return starts;
}

export async function consumeCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    argv,
    {
      ...CONNECTION_OPTIONS,
      group: { type: 'string', short: 'g' },
      'from-beginning': { type: 'boolean', default: false },
      offset: { type: 'string', short: 'o' },
      timestamp: { type: 'string' },
      count: { type: 'string', short: 'n' },
      exit: { type: 'boolean', short: 'e', default: false },
      format: { type: 'string', short: 'f', default: '%v\\n' },
    },
    'consume',
  );
  if (values.help) return void console.log(CONSUME_USAGE);
  if (positionals.length !== 1) throw usageError('consume takes one topic name', 'consume');
  const topic = positionals[0]!;
  const count = integer(values.count, '--count', 'consume', 1);
  const where = values.offset;
  if (where !== undefined && !['beginning', 'end'].includes(where) && !/^\d+$/.test(where)) throw usageError(`--offset expects beginning, end or an offset, got "${where}"`, 'consume');
  const timestamp = integer(values.timestamp, '--timestamp', 'consume');
  if (where !== undefined && timestamp !== undefined) throw usageError('--offset and --timestamp cannot be used together', 'consume');
  const start: Start | undefined = timestamp !== undefined ? { timestamp } : where !== undefined ? { offset: where } : undefined;
  const { bootstrap, kafka } = connectTo(values, 'consume');
  const temporary = values.group === undefined;
  const groupId = values.group ?? `creek-consume-${randomUUID()}`;
  const fromBeginning = temporary || values['from-beginning'];
  const render = (r: Printable): string => (values.json ? `${jsonRecord(r)}\n` : formatRecord(values.format, r));

  const admin = kafka.admin();
  let consumer: Consumer | undefined;
  await talkingTo(bootstrap, async () => {
    await admin.connect();
    try {
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
      const positions = await startPositions(admin, topic, groupId, start, fromBeginning, ends);
      const atEnd = (): boolean => [...ends].every(([p, { high }]) => positions.get(p)! >= high);
      if (values.exit && atEnd()) return;

      // With --exit the records to read are known up front: a progress line counts them.
      const expected = [...ends].reduce((sum, [p, { high }]) => sum + Math.max(0, high - positions.get(p)!), 0);
      const progress = progressLine({ output: process.stdout });
      let printed = 0;
      let stopped = false;
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      // The first signal leaves the group cleanly; a second one exits at once.
      const onSignal = (): void => {
        if (stopped) process.exit(130);
        stopped = true;
        finish();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);

      // A fetch waits at most 500 ms for data (Kafka's fetch.max.wait.ms), not kafkajs's 5 s: leaving
      // after -n or -e waits for the fetches in flight, and against several brokers one of them
      // long-polls a broker whose partitions have nothing new.
      consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500, allowAutoTopicCreation: false, retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 } });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning });
      const crashed = new Promise<never>((_, reject) => consumer!.on(consumer!.events.CRASH, ({ payload }) => reject(payload.error)));
      await consumer.run({
        autoCommit: !temporary,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, isRunning, isStale }) => {
          for (const message of batch.messages) {
            if (stopped || !isRunning() || isStale() || (count !== undefined && printed >= count)) break;
            process.stdout.write(render({ topic: batch.topic, partition: batch.partition, message }));
            printed++;
            resolveOffset(message.offset);
            positions.set(batch.partition, Number(message.offset) + 1);
          }
          if (values.exit) progress.update(`read ${printed} of ~${count === undefined ? expected : Math.min(count, expected)} records`);
          if (!temporary) await commitOffsetsIfNecessary();
          // Control records (transaction markers) end a batch without a message: the lag says it was read.
          if (batch.offsetLag() === '0') positions.set(batch.partition, Math.max(positions.get(batch.partition)!, Number(batch.highWatermark)));
          if (!stopped && ((count !== undefined && printed >= count) || (values.exit && atEnd()))) onSignal();
        },
      });
      if (start !== undefined) for (const [partition, offset] of positions) consumer.seek({ topic, partition, offset: String(offset) });
      await Promise.race([finished, crashed]).finally(() => progress.done());
    } finally {
      await consumer?.disconnect();
      if (temporary && consumer !== undefined) await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    }
  });
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
}
