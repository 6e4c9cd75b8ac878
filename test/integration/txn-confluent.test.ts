// confluent-kafka-python (Debian's python3-confluent-kafka on librdkafka) transactional round
// trip: init_transactions, a committed and an aborted transaction, then a read_committed and a
// read_uncommitted consumer (assigned, no group) reading what the producer left.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { withBroker } from '../helpers/broker.js';
import { confluentTxnRoundTrip, roundTripValues } from '../helpers/confluent-txn.js';
import { requirePythonModule } from '../helpers/programs.js';

const confluent = requirePythonModule('confluent_kafka');

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
    const result = await confluentTxnRoundTrip(confluent.python, broker.bootstrap, 'py-txn', 'py-tx', [0]);
    expect(result.committed).toEqual(roundTripValues([0], true));
    expect(result.uncommitted).toEqual(roundTripValues([0], false));
    const state = broker.broker.txn.coordinator.get('py-tx')!;
    expect(state.producerEpoch).toBe(0);
  });
});
