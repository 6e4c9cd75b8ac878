// confluent-kafka-python (librdkafka) transactions driven from tests: one transactional producer
// commits, aborts and commits again, writing every value to each of the given partitions, then a
// read_committed and a read_uncommitted consumer (assigned, no group) read those partitions to
// their ends. Values are `<value>-<partition>`, reported sorted.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

const SCRIPT = `
import json, sys
from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING

bootstrap, topic, transactional_id = sys.argv[1], sys.argv[2], sys.argv[3]
partitions = [int(p) for p in sys.argv[4].split(',')]
p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': transactional_id, 'transaction.timeout.ms': 60000})
def send(values):
    for v in values:
        for partition in partitions:
            p.produce(topic, ('%s-%d' % (v, partition)).encode(), partition=partition)
p.init_transactions(30)
p.begin_transaction()
send(['c1', 'c2', 'c3'])
p.commit_transaction(30)
p.begin_transaction()
send(['a1', 'a2'])
p.flush(30)
p.abort_transaction(30)
p.begin_transaction()
send(['c4'])
p.commit_transaction(30)

def read(isolation):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'py-reader-' + isolation, 'enable.auto.commit': False,
                  'isolation.level': isolation, 'enable.partition.eof': True})
    c.assign([TopicPartition(topic, partition, OFFSET_BEGINNING) for partition in partitions])
    values, ended = [], set()
    while len(ended) < len(partitions):
        m = c.poll(10)
        if m is None:
            raise SystemExit('timed out reading ' + isolation)
        if m.error():
            if m.error().code() == -191:  # _PARTITION_EOF
                ended.add(m.partition())
                continue
            raise SystemExit(str(m.error()))
        values.append(m.value().decode())
    c.close()
    return sorted(values)

print(json.dumps({'committed': read('read_committed'), 'uncommitted': read('read_uncommitted')}))
`;

export interface TxnRoundTrip {
  committed: string[];
  uncommitted: string[];
}

/** Runs the round trip with `python` (one that imports confluent_kafka: requirePythonModule). */
export async function confluentTxnRoundTrip(python: string, bootstrap: string, topic: string, transactionalId: string, partitions: readonly number[]): Promise<TxnRoundTrip> {
  const { stdout } = await run(python, ['-c', SCRIPT, bootstrap, topic, transactionalId, partitions.join(',')], { timeout: 120_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as TxnRoundTrip;
}

/** The values the round trip writes to `partitions`, committed ones only or all, sorted as reported. */
export function roundTripValues(partitions: readonly number[], committedOnly: boolean): string[] {
  const values = committedOnly ? ['c1', 'c2', 'c3', 'c4'] : ['c1', 'c2', 'c3', 'a1', 'a2', 'c4'];
  return values.flatMap((v) => partitions.map((p) => `${v}-${p}`)).sort();
}
