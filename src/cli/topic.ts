// `creek topic create|list|describe|delete|alter-config`: topic administration for any Kafka.
import kafkajs from 'kafkajs';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, integer, keyValue, parseCommand } from './args.js';
import { CliFailure, kafkaErrorName, talkingTo, usageError } from './failure.js';
import { connectTo } from './kafka-client.js';
import { printJson, printTable } from './output.js';

const { ConfigResourceTypes } = kafkajs;

export const TOPIC_USAGE = `Usage: creek topic COMMAND [options]
  create NAME [-p PARTITIONS] [-r REPLICATION] [-c key=value]...   create a topic
  list                                                             topics and partition counts
  describe NAME                                                    partitions, offsets and configs
  delete NAME...                                                   delete topics
  alter-config NAME [--set key=value]... [--delete key]...         change topic configs
Options: -b, --bootstrap HOST:PORT (default 127.0.0.1:9092)   --json   output one JSON document
${CONNECTION_USAGE}`;

type Admin = ReturnType<ReturnType<typeof connectTo>['kafka']['admin']>;

interface TopicDetails {
  name: string;
  partitions: { partition: number; leader: number; replicas: number[]; isr: number[]; logStartOffset: number; highWatermark: number }[];
  configs: Record<string, string | null>;
}

/** Dynamic (topic-level) configs as DescribeConfigs reports them; throws the broker's error for an unknown topic. */
async function topicConfigs(admin: Admin, name: string, onlyOverrides: boolean): Promise<Record<string, string | null>> {
  const { resources } = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name }], includeSynonyms: false });
  const resource = resources[0]!;
  // kafkajs throws the broker's error code itself; this guards a resource it let through.
  if (resource.errorCode !== 0) throw new CliFailure(resource.errorMessage ?? `cannot describe topic ${name} (error code ${resource.errorCode})`);
  const configs: Record<string, string | null> = {};
  for (const e of resource.configEntries.sort((a, b) => a.configName.localeCompare(b.configName))) {
    // kafkajs reports the source as configSource (v1+): 1 is a topic-level override.
    const source = (e as { configSource?: number }).configSource;
    if (onlyOverrides && source !== 1) continue;
    configs[e.configName] = e.isSensitive ? null : e.configValue;
  }
  return configs;
}

async function describeTopic(admin: Admin, name: string): Promise<TopicDetails> {
  const configs = await topicConfigs(admin, name, false);
  const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
  const offsets = await admin.fetchTopicOffsets(name);
  const partitions = topics[0]!.partitions
    .map((p) => {
      const o = offsets.find((x) => x.partition === p.partitionId);
      return { partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr, logStartOffset: Number(o?.low ?? 0), highWatermark: Number(o?.high ?? 0) };
    })
    .sort((a, b) => a.partition - b.partition);
  return { name, partitions, configs };
}

/**
 * A topic just created: on Apache Kafka the controller's answer comes before every broker has the
 * topic in its metadata, so a broker may still answer UNKNOWN_TOPIC_OR_PARTITION for a moment.
 */
async function describeNewTopic(admin: Admin, name: string, attempts = 40): Promise<TopicDetails> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await describeTopic(admin, name);
    } catch (err) {
      if (attempt >= attempts || kafkaErrorName(err) !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export async function topicCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const command = `topic ${sub ?? ''}`.trim();
  if (sub === undefined) throw usageError('topic needs a command', 'topic');
  if (sub === '--help' || sub === '-h') return void console.log(TOPIC_USAGE);
  const { values, positionals } = parseCommand(
    rest,
    {
      ...CONNECTION_OPTIONS,
      partitions: { type: 'string', short: 'p' },
      'replication-factor': { type: 'string', short: 'r' },
      config: { type: 'string', short: 'c', multiple: true },
      set: { type: 'string', multiple: true },
      delete: { type: 'string', multiple: true },
    },
    'topic',
  );
  if (values.help) return void console.log(TOPIC_USAGE);
  const needName = (): string => {
    if (positionals.length !== 1) throw usageError(`${command} takes one topic name`, 'topic');
    return positionals[0]!;
  };
  const admin = connectTo(values, 'topic').kafka.admin();
  const plan = (): (() => Promise<void>) => {
    switch (sub) {
      case 'create': {
        const name = needName();
        const numPartitions = integer(values.partitions, '--partitions', 'topic', 1) ?? -1;
        const replicationFactor = integer(values['replication-factor'], '--replication-factor', 'topic', 1) ?? -1;
        const configEntries = (values.config ?? []).map((c) => keyValue(c, '--config', 'topic')).map(([n, value]) => ({ name: n, value }));
        return async () => {
          const created = await admin.createTopics({ topics: [{ topic: name, numPartitions, replicationFactor, configEntries }], waitForLeaders: true });
          if (!created) throw new CliFailure(`TOPIC_ALREADY_EXISTS: Topic '${name}' already exists.`, 'pick another name, or delete it first with `creek topic delete NAME`');
          const details = await describeNewTopic(admin, name);
          const summary = { topic: name, partitions: details.partitions.length, replicationFactor: details.partitions[0]?.replicas.length ?? 0 };
          if (values.json) printJson(summary);
          else console.log(`Created topic ${name} (${summary.partitions} partitions, replication factor ${summary.replicationFactor})`);
        };
      }
      case 'list':
        if (positionals.length > 0) throw usageError('topic list takes no arguments', 'topic');
        return async () => {
          const { topics } = await admin.fetchTopicMetadata();
          const rows = topics.map((t) => ({ name: t.name, partitions: t.partitions.length })).sort((a, b) => a.name.localeCompare(b.name));
          if (values.json) printJson(rows);
          else printTable(['TOPIC', 'PARTITIONS'], rows.map((r) => [r.name, r.partitions]));
        };
      case 'describe': {
        const name = needName();
        return async () => {
          const details = await describeTopic(admin, name);
          if (values.json) return printJson(details);
          console.log(`Topic ${name}: ${details.partitions.length} partitions`);
          printTable(
            ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LOG-START', 'HIGH-WATERMARK'],
            details.partitions.map((p) => [p.partition, p.leader, p.replicas.join(','), p.isr.join(','), p.logStartOffset, p.highWatermark]),
          );
          console.log('Configs:');
          printTable(['KEY', 'VALUE'], Object.entries(details.configs).map(([k, v]) => [k, v ?? '(sensitive)']));
        };
      }
      case 'delete':
        if (positionals.length === 0) throw usageError('topic delete takes at least one topic name', 'topic');
        return async () => {
          await admin.deleteTopics({ topics: positionals });
          if (values.json) printJson({ deleted: positionals });
          else for (const t of positionals) console.log(`Deleted topic ${t}`);
        };
      case 'alter-config': {
        const name = needName();
        const set = (values.set ?? []).map((c) => keyValue(c, '--set', 'topic'));
        const removed = values.delete ?? [];
        if (set.length === 0 && removed.length === 0) throw usageError('topic alter-config needs --set key=value or --delete key', 'topic');
        return async () => {
          // AlterConfigs replaces a topic's whole set of overrides: start from the current ones.
          const overrides = await topicConfigs(admin, name, true);
          for (const key of removed) delete overrides[key];
          for (const [key, value] of set) overrides[key] = value;
          const configEntries = Object.entries(overrides).map(([n, value]) => ({ name: n, value: value ?? '' }));
          await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name, configEntries }] });
          if (values.json) printJson({ topic: name, configs: overrides });
          else console.log(`Altered topic ${name}: ${[...set.map(([k, v]) => `${k}=${v}`), ...removed.map((k) => `-${k}`)].join(' ')}`);
        };
      }
      default:
        throw usageError(`unknown topic command "${sub}"`, 'topic');
    }
  };
  const run = plan();
  await talkingTo(values.bootstrap, async () => {
    await admin.connect();
    try {
      await run();
    } finally {
      await admin.disconnect();
    }
  });
}
