// `creek produce TOPIC`: one record per line of stdin (kcat -P), optionally keyed and with headers.
// Piped lines are sent in batches, typed ones one by one; it exits once every record is acknowledged.
import { createInterface } from 'node:readline';
import kafkajs, { type Message } from 'kafkajs';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, integer, keyValue, parseCommand } from './args.js';
import { talkingTo, usageError } from './failure.js';
import { COMPRESSION, connectTo } from './kafka-client.js';
import { printJson } from './output.js';
import { progressLine } from './progress.js';

export const PRODUCE_USAGE = `Usage: creek produce TOPIC [options] < records
Reads one record per line of stdin.
  -K, --key-separator SEP   split each line at the first SEP into key and value
  -H, --header key=value    add a header to every record; repeatable
  -p, --partition N         write to partition N (default: the key's hash, or spread)
  -z, --compression CODEC   none|gzip|snappy|lz4|zstd (default none)
  --acks all|1|0            acknowledgement to wait for (default all)
  -v, --verbose             print the partition and offset of each record
Options: -b, --bootstrap HOST:PORT (default 127.0.0.1:9092)   --json   with -v, one JSON object per record
${CONNECTION_USAGE}`;

const ACKS: Record<string, number> = { all: -1, '-1': -1, '1': 1, '0': 0 };
/** Lines per send: piped input goes in large batches; typed lines go one by one, as they are typed. */
const batchSize = (): number => (process.stdin.isTTY ? 1 : 1000);

export async function produceCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    argv,
    {
      ...CONNECTION_OPTIONS,
      'key-separator': { type: 'string', short: 'K' },
      header: { type: 'string', short: 'H', multiple: true },
      partition: { type: 'string', short: 'p' },
      compression: { type: 'string', short: 'z', default: 'none' },
      acks: { type: 'string', default: 'all' },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
    'produce',
  );
  if (values.help) return void console.log(PRODUCE_USAGE);
  if (positionals.length !== 1) throw usageError('produce takes one topic name', 'produce');
  const topic = positionals[0]!;
  const headers = Object.fromEntries((values.header ?? []).map((h) => keyValue(h, '--header', 'produce')));
  const partition = integer(values.partition, '--partition', 'produce');
  const compression = COMPRESSION[values.compression];
  if (compression === undefined) throw usageError(`--compression expects none, gzip, snappy, lz4 or zstd, got "${values.compression}"`, 'produce');
  const acks = ACKS[values.acks];
  if (acks === undefined) throw usageError(`--acks expects all, 1 or 0, got "${values.acks}"`, 'produce');
  const separator = values['key-separator'];
  if (separator === '') throw usageError('--key-separator cannot be empty', 'produce');
  const { bootstrap, kafka } = connectTo(values, 'produce');

  const toMessage = (line: string): Message => {
    const cut = separator === undefined ? -1 : line.indexOf(separator);
    const message: Message = cut === -1 ? { value: line } : { key: line.slice(0, cut), value: line.slice(cut + separator!.length) };
    if (partition !== undefined) message.partition = partition;
    if (Object.keys(headers).length > 0) message.headers = headers;
    return message;
  };

  // Records which partition the default partitioner picks for each message, so -v can name it.
  const chosen = new Map<Message, number>();
  const partitioner = () => {
    const pick = kafkajs.Partitioners.DefaultPartitioner();
    return (args: Parameters<typeof pick>[0]): number => {
      const p = pick(args);
      chosen.set(args.message, p);
      return p;
    };
  };

  await talkingTo(bootstrap, async () => {
    const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: partitioner });
    await producer.connect();
    try {
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
      // Typed lines need no progress line (it would land among them); piped ones get one.
      const progress = process.stdin.isTTY ? undefined : progressLine({ output: values.verbose ? process.stdout : undefined });
      let sent = 0;
      let batch: Message[] = [];
      const send = async (): Promise<void> => {
        if (batch.length === 0) return;
        const messages = batch;
        batch = [];
        chosen.clear();
        const results = await producer.send({ topic, messages, acks, compression });
        sent += messages.length;
        progress?.update(`sent ${sent} records`);
        if (!values.verbose || acks === 0) return;
        // kafkajs answers with each partition's base offset; records keep their order within a partition.
        const next = new Map(results.map((r) => [r.partition, Number(r.baseOffset)]));
        for (const m of messages) {
          const p = m.partition ?? chosen.get(m)!;
          const offset = next.get(p)!;
          next.set(p, offset + 1);
          if (values.json) printJson({ topic, partition: p, offset });
          else console.log(`${topic} [${p}] @ ${offset}`);
        }
      };
      for await (const line of lines) {
        batch.push(toMessage(line));
        if (batch.length >= batchSize()) await send();
      }
      await send();
      progress?.done();
    } finally {
      await producer.disconnect();
    }
  });
}
