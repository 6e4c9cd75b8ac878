// The HTTP side of a three-broker cluster (startCluster): every broker's console names all live
// brokers and the controller, and kafka_server_replicamanager_underreplicatedpartitions counts, on
// the leader only (as Kafka's UnderReplicatedPartitions does), a partition whose follower was
// killed, and goes back to 0 once the follower returns to the ISR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterOverview } from '../../src/console/cluster-api.js';
import type { TopicDetail } from '../../src/console/topics-api.js';
import { startCluster, type RunningCluster } from '../../src/index.js';
import { httpCall, jsonCall, promSample } from '../helpers/http.js';
import { until } from '../helpers/until.js';

const URP = 'kafka_server_replicamanager_underreplicatedpartitions';
let cluster: RunningCluster;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 3, brokerOptions: { logLevel: 'silent', httpPort: 0 } });
});
afterAll(async () => {
  await cluster?.close();
});

const httpOf = (nodeId: number) => cluster.broker(nodeId)!.http!.url;

async function underReplicated(nodeId: number): Promise<number | undefined> {
  return promSample((await httpCall(httpOf(nodeId), '/metrics')).body, URP);
}

function stateOf(topic: string) {
  const running = cluster.nodeIds.map((id) => cluster.broker(id)).find((b) => b !== undefined)!;
  return running.broker.cluster.partitionState(topic, 0)!;
}

describe('the console and metrics of a three-broker cluster', () => {
  it('list every broker, and count under-replicated partitions on their leader while a follower is down', async () => {
    const created = await jsonCall(httpOf(1), '/api/topics', { method: 'POST', json: { name: 'replicated', partitions: 1, replicationFactor: 3 } });
    expect(created.status).toBe(201);
    await until(() => stateOf('replicated').isr.length === 3, 'the replicas in sync');
    for (const id of cluster.nodeIds) {
      const overview = (await jsonCall<ClusterOverview>(httpOf(id), '/api/cluster')).body;
      expect(overview.brokers.map((b) => b.nodeId)).toEqual([1, 2, 3]);
      expect(overview.brokers.filter((b) => b.controller).map((b) => b.nodeId)).toEqual([cluster.controllerId()]);
      expect(overview.brokers.find((b) => b.local)?.nodeId).toBe(id);
      expect(await underReplicated(id)).toBe(0);
    }

    const { leaderId } = stateOf('replicated');
    const [follower, other] = cluster.nodeIds.filter((id) => id !== leaderId);
    await cluster.kill(follower!);
    try {
      await until(() => stateOf('replicated').isr.length === 2, 'the killed follower out of the ISR');
      await until(async () => (await underReplicated(leaderId)) === 1, 'the leader counting the partition under-replicated');
      expect(await underReplicated(other!)).toBe(0);
      const overview = (await jsonCall<ClusterOverview>(httpOf(leaderId), '/api/cluster')).body;
      expect(overview).toMatchObject({ underReplicatedPartitions: 1 });
      expect(overview.brokers.map((b) => b.nodeId)).not.toContain(follower);
      const topic = (await jsonCall<TopicDetail>(httpOf(leaderId), '/api/topics/replicated')).body;
      expect(topic).toMatchObject({ replicationFactor: 3, underReplicated: 1 });
      expect(topic.partitions[0]!.isr).not.toContain(follower);
    } finally {
      await cluster.start(follower!);
    }
    await until(() => stateOf('replicated').isr.length === 3, 'the follower back in the ISR');
    await until(async () => (await underReplicated(leaderId)) === 0, 'no partition under-replicated');
  });
});
