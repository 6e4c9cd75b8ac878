// ListPartitionReassignments (key 46), version 0 (flexible): the ongoing reassignments of the
// named partitions (null: all), each with its replicas (target first, then the ones leaving),
// adding and removing replicas. Partitions without one, and unknown topics, are left out, as
// Kafka's controller does. Needs DESCRIBE on the cluster.
import { ErrorCode } from '../../protocol/errors.js';
import type { ListPartitionReassignmentsResponseOngoingTopicReassignment } from '../../protocol/schema/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 46,
  minVersion: 0,
  maxVersion: 0,
  uses: ['cluster'],
  handle(req, ctx) {
    if (!ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, topics: [] };
    const wanted = req.topics === null ? null : new Map(req.topics.map((t) => [t.name, new Set(t.partitionIndexes)]));
    const byTopic = new Map<string, ListPartitionReassignmentsResponseOngoingTopicReassignment>();
    const ongoing = ctx.broker.cluster.reassignments().sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    for (const { topic, partition, replicas, adding, removing } of ongoing) {
      if (wanted !== null && !wanted.get(topic)?.has(partition)) continue;
      let entry = byTopic.get(topic);
      if (entry === undefined) byTopic.set(topic, (entry = { name: topic, partitions: [] }));
      entry.partitions.push({ partitionIndex: partition, replicas, addingReplicas: adding, removingReplicas: removing });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [...byTopic.values()] };
  },
});
