// confluent-kafka-python (Debian's python3-confluent-kafka on librdkafka) transactional round
// trip: init_transactions, a committed and an aborted transaction, then a read_committed and a
// read_uncommitted consumer (assigned, no group) reading what the producer left.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { withBroker } from '../helpers/broker.js';
import { requirePythonModule } from '../helpers/programs.js';

const run = promisify(execFile);
const confluent = requirePythonModule('confluent_kafka');

const SCRIPT = `
import json, sys
from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING

bootstrap, topic = sys.argv[1], sys.argv[2]
p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': 'py-tx', 'transaction.timeout.ms': 60000})
p.init_transactions(30)
p.begin_transaction()
for v in ['c1', 'c2', 'c3']:
    p.produce(topic, v.encode(), partition=0)
p.commit_transaction(30)
p.begin_transaction()
for v in ['a1', 'a2']:
    p.produce(topic, v.encode(), partition=0)
p.flush(30)
p.abort_transaction(30)
p.begin_transaction()
p.produce(topic, b'c4', partition=0)
p.commit_transaction(30)

def read(isolation):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'py-reader-' + isolation, 'enable.auto.commit': False,
                  'isolation.level': isolation, 'enable.partition.eof': True})
    c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    values = []
    while True:
        m = c.poll(10)
        if m is None:
            raise SystemExit('timed out reading ' + isolation)
        if m.error():
            if m.error().code() == -191:  # _PARTITION_EOF
                break
            raise SystemExit(str(m.error()))
        values.append(m.value().decode())
    c.close()
    return values

print(json.dumps({'committed': read('read_committed'), 'uncommitted': read('read_uncommitted')}))
`;

let broker: RunningBroker;
beforeAll(async () => {
  broker = await withBroker();
  await broker.broker.topics.create('py-txn', { numPartitions: 1 });
});
afterAll(async () => {
  await broker.stop();
});

describe.skipIf(confluent.skip)('confluent-kafka-python transactions', () => {
  it('init/commit/abort round trip; read_committed sees only committed records', async () => {
    const { stdout } = await run(confluent.python, ['-c', SCRIPT, broker.bootstrap, 'py-txn'], { timeout: 120_000 });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { committed: string[]; uncommitted: string[] };
    expect(result.committed).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(result.uncommitted).toEqual(['c1', 'c2', 'c3', 'a1', 'a2', 'c4']);
    const state = broker.broker.txn.coordinator.get('py-tx')!;
    expect(state.producerEpoch).toBe(0);
  });
});
