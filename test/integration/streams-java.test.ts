// Kafka Streams 4.4.0 on the streams rebalance protocol (KIP-1071, group.protocol=streams) against
// Creek: the compat suite's word count with a repartition topic and a state store, exactly-once,
// alone and as two instances sharing the tasks (one leaving). Skipped without java.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { kafkaStreamsSuite } from '../../compat/clients/java.js';
import type { RunningBroker } from '../../src/broker.js';
import { withBroker } from '../helpers/broker.js';
import { javaSuiteUnavailable, runJavaScenario } from '../helpers/java-scenarios.js';

const TIMEOUT = 240_000;
let broker: RunningBroker | undefined;
let unavailable: string | undefined;

beforeAll(async () => {
  unavailable = await javaSuiteUnavailable(kafkaStreamsSuite);
  if (unavailable === undefined) broker = await withBroker({ properties: { 'group.initial.rebalance.delay.ms': 0 } });
}, 600_000);
afterAll(async () => {
  await kafkaStreamsSuite.close?.();
  await broker?.stop();
});

describe('Kafka Streams with group.protocol=streams', () => {
  for (const feature of ['streams-protocol', 'streams-protocol-scale']) {
    it(`passes kafka-streams/${feature}`, async (ctx) => {
      if (unavailable !== undefined) return ctx.skip();
      await runJavaScenario(kafkaStreamsSuite, feature, broker!.bootstrap, TIMEOUT);
    }, TIMEOUT + 10_000);
  }
});
