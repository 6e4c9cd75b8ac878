// Creates topics with a CreateTopics request over the wire, as an admin client would, for raw
// protocol tests: Produce never creates a topic (as in Kafka), so a test writes only to topics it
// created first. Throws unless every topic was created.
import { ErrorCode } from '../../protocol/errors.js';
import { RawClient } from './raw-client.js';

export async function createTopics(broker: { host: string; port: number }, names: readonly string[], numPartitions = 1): Promise<void> {
  const client = await RawClient.connect(broker.host, broker.port, 'create-topics');
  try {
    const res = await client.send(19, 7, {
      topics: names.map((name) => ({ name, numPartitions, replicationFactor: -1, assignments: [], configs: [] })),
      timeoutMs: 5000,
      validateOnly: false,
    });
    const refused = res.topics.filter((t) => t.errorCode !== ErrorCode.NONE).map((t) => `${t.name}: ${t.errorCode} ${t.errorMessage ?? ''}`);
    if (refused.length > 0) throw new Error(`CreateTopics refused ${refused.join(', ')}`);
  } finally {
    client.close();
  }
}
