// `creek group list|describe|reset-offsets|delete`: consumer groups of any Kafka, with the lag of
// each partition (log end offset minus committed offset).
import kafkajs, { type Admin } from 'kafkajs';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, integer, parseCommand } from './args.js';
import { CliFailure, kafkaErrorName, talkingTo, usageError } from './failure.js';
import { commitGroupOffsets } from './group-offsets.js';
import { connectTo } from './kafka-client.js';
import { printJson, printTable } from './output.js';

const { AssignerProtocol } = kafkajs;

export const GROUP_USAGE = `Usage: creek group COMMAND [options]
  list                                     groups with their state and protocol type
  describe GROUP                           state, members, and committed offset and lag per partition
  reset-offsets GROUP --topic TOPIC (--to-earliest | --to-latest | --to-offset N)
                                           move an inactive group's committed offsets
  delete GROUP...                          delete inactive groups and their offsets
Options: -b, --bootstrap HOST:PORT (default 127.0.0.1:9092)   --json   output one JSON document
${CONNECTION_USAGE}`;

interface PartitionLag {
  topic: string;
  partition: number;
  committed: number | null;
  logEnd: number;
  lag: number | null;
  member: string | null;
}

/** Kafka's tool refuses to reset an active group's offsets in these words. */
const activeGroup = (groupId: string, why: string): CliFailure =>
  new CliFailure(`NON_EMPTY_GROUP: Assignments can only be reset if the group '${groupId}' is inactive, but ${why}.`, "stop the group's consumers first");

const notFound = (groupId: string): CliFailure => new CliFailure(`GROUP_ID_NOT_FOUND: consumer group '${groupId}' does not exist`, 'list groups with `creek group list`');

async function describeGroup(admin: Admin, groupId: string) {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups[0]!;
  const fetched = await admin.fetchOffsets({ groupId });
  const committed = fetched.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })));
  // DescribeGroups answers an unknown group with state Dead, as Kafka does.
  if (group.state === 'Dead') throw notFound(groupId);
  const owners = new Map<string, string>();
  const members = group.members.map((m) => {
    const assignment = group.protocolType === 'consumer' && m.memberAssignment.length > 0 ? (AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {}) : {};
    for (const [topic, partitions] of Object.entries(assignment)) for (const p of partitions) owners.set(`${topic}/${p}`, m.memberId);
    return { memberId: m.memberId, clientId: m.clientId, host: m.clientHost, assignment };
  });
  const keys = new Map<string, { topic: string; partition: number; committed: number | null }>();
  for (const c of committed) if (c.offset >= 0) keys.set(`${c.topic}/${c.partition}`, { topic: c.topic, partition: c.partition, committed: c.offset });
  for (const m of members) for (const [topic, partitions] of Object.entries(m.assignment)) for (const p of partitions) if (!keys.has(`${topic}/${p}`)) keys.set(`${topic}/${p}`, { topic, partition: p, committed: null });
  const ends = new Map<string, number>();
  for (const topic of new Set([...keys.values()].map((k) => k.topic))) {
    for (const o of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${o.partition}`, Number(o.high));
  }
  const partitions: PartitionLag[] = [...keys.entries()]
    .map(([key, k]) => {
      const logEnd = ends.get(key) ?? 0;
      return { ...k, logEnd, lag: k.committed === null ? null : Math.max(0, logEnd - k.committed), member: owners.get(key) ?? null };
    })
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  return { groupId, state: group.state, protocolType: group.protocolType, protocol: group.protocol, members, partitions };
}

export async function groupCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined) throw usageError('group needs a command', 'group');
  if (sub === '--help' || sub === '-h') return void console.log(GROUP_USAGE);
  const { values, positionals } = parseCommand(
    rest,
    {
      ...CONNECTION_OPTIONS,
      topic: { type: 'string', short: 't' },
      'to-earliest': { type: 'boolean', default: false },
      'to-latest': { type: 'boolean', default: false },
      'to-offset': { type: 'string' },
    },
    'group',
  );
  if (values.help) return void console.log(GROUP_USAGE);
  const { bootstrap, kafka } = connectTo(values, 'group');
  const needGroup = (): string => {
    if (positionals.length !== 1) throw usageError(`group ${sub} takes one group id`, 'group');
    return positionals[0]!;
  };
  const admin = kafka.admin();
  let work: () => Promise<void>;
  switch (sub) {
    case 'list':
      if (positionals.length > 0) throw usageError('group list takes no arguments', 'group');
      work = async () => {
        const { groups } = await admin.listGroups();
        const ids = groups.map((g) => g.groupId).sort();
        const described = ids.length === 0 ? [] : (await admin.describeGroups(ids)).groups;
        const rows = ids.map((id) => {
          const d = described.find((g) => g.groupId === id);
          return { groupId: id, state: d?.state ?? 'Unknown', protocolType: groups.find((g) => g.groupId === id)!.protocolType, members: d?.members.length ?? 0 };
        });
        if (values.json) printJson(rows);
        else printTable(['GROUP', 'STATE', 'PROTOCOL-TYPE', 'MEMBERS'], rows.map((r) => [r.groupId, r.state, r.protocolType || '-', r.members]));
      };
      break;
    case 'describe': {
      const groupId = needGroup();
      work = async () => {
        const d = await describeGroup(admin, groupId);
        if (values.json) return printJson(d);
        console.log(`Group ${groupId}: ${d.state}, ${d.members.length} members${d.protocol ? `, assignor ${d.protocol}` : ''}`);
        printTable(
          ['TOPIC', 'PARTITION', 'COMMITTED', 'LOG-END', 'LAG', 'MEMBER'],
          d.partitions.map((p) => [p.topic, p.partition, p.committed ?? '-', p.logEnd, p.lag ?? '-', p.member ?? '-']),
        );
      };
      break;
    }
    case 'reset-offsets': {
      const groupId = needGroup();
      const topic = values.topic;
      if (topic === undefined) throw usageError('group reset-offsets needs --topic TOPIC', 'group');
      const target = integer(values['to-offset'], '--to-offset', 'group');
      const chosen = [values['to-earliest'], values['to-latest'], target !== undefined].filter(Boolean).length;
      if (chosen !== 1) throw usageError('group reset-offsets needs exactly one of --to-earliest, --to-latest, --to-offset N', 'group');
      work = async () => {
        // Kafka's tool checks first, then commits; a member joining in between is refused by the coordinator.
        const { groups } = await admin.describeGroups([groupId]);
        const state = groups[0]!.state;
        if (state !== 'Empty' && state !== 'Dead') throw activeGroup(groupId, `the current state is ${state}`);
        const offsets = await admin.fetchTopicOffsets(topic);
        const partitions = offsets.map((o) => {
          const low = Number(o.low);
          const high = Number(o.high);
          const offset = values['to-earliest'] ? low : values['to-latest'] ? high : Math.min(Math.max(target!, low), high);
          return { partition: o.partition, offset };
        }).sort((a, b) => a.partition - b.partition);
        await commitGroupOffsets(kafka, groupId, topic, partitions).catch((err: unknown) => {
          throw kafkaErrorName(err) === 'UNKNOWN_MEMBER_ID' ? activeGroup(groupId, 'a member joined it meanwhile (UNKNOWN_MEMBER_ID)') : err;
        });
        if (values.json) printJson({ groupId, topic, partitions });
        else printTable(['TOPIC', 'PARTITION', 'NEW-OFFSET'], partitions.map((p) => [topic, p.partition, p.offset]));
      };
      break;
    }
    case 'delete':
      if (positionals.length === 0) throw usageError('group delete takes at least one group id', 'group');
      work = async () => {
        await admin.deleteGroups(positionals);
        if (values.json) printJson({ deleted: positionals });
        else for (const g of positionals) console.log(`Deleted group ${g}`);
      };
      break;
    default:
      throw usageError(`unknown group command "${sub}"`, 'group');
  }
  await talkingTo(bootstrap, async () => {
    await admin.connect();
    try {
      await work();
    } finally {
      await admin.disconnect();
    }
  });
}
