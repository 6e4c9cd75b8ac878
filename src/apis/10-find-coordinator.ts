// FindCoordinator (key 10), versions 0-6.
// v1: key_type (0 group, 1 transaction), throttle time, error message. v2: no change.
// v3: flexible. v4: batched coordinator_keys with a result per key (KIP-699). v5: no change
// (may return TRANSACTION_ABORTABLE). v6: key type 2, a share-group state partition
// ("group:topicId:partition", KIP-932), asked for by brokers (CLUSTER_ACTION). Each group or
// transactional id is answered with the broker the cluster view names its coordinator: the leader
// of its __consumer_offsets / __transaction_state partition (a single node coordinates every group
// and transactional id). In a cluster the first request for a type creates its internal topic and
// is answered COORDINATOR_NOT_AVAILABLE until the topic has leaders. Creek has no share
// coordinator: a well-formed share key is COORDINATOR_NOT_AVAILABLE, as Kafka answers while its
// share-state topic is not there; a malformed one (or key type 2 before v6) INVALID_REQUEST.
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import type { FindCoordinatorResponseCoordinator as Coordinator } from '../../protocol/schema/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { isKafkaUuid } from '../kafka-uuid.js';
import type { Logger } from 'pino';
import { defineApi, type BrokerServices } from './api.js';

const GROUP = 0;
const TRANSACTION = 1;
const SHARE = 2;

/** Kafka's SharePartitionKey format: group id, topic id and partition, colon-separated. */
function isSharePartitionKey(key: string): boolean {
  const parts = key.split(':');
  return parts.length === 3 && parts[0] !== '' && isKafkaUuid(parts[1]!) && /^\d+$/.test(parts[2]!);
}

export default defineApi({
  apiKey: 10,
  minVersion: 0,
  maxVersion: 6,
  uses: ['cluster', 'txn', 'groups'],
  handle(req, ctx) {
    const { cluster } = ctx.broker;
    const answer = (key: string): Coordinator => {
      const none = { key, nodeId: -1, host: '', port: -1 };
      if (req.keyType === SHARE && ctx.version >= 6) {
        if (!ctx.authz.allows(AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME)) {
          return { ...none, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: errorInfo(ErrorCode.CLUSTER_AUTHORIZATION_FAILED).message };
        }
        if (!isSharePartitionKey(key)) return { ...none, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: '' };
        return { ...none, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: '' };
      }
      if (req.keyType !== GROUP && req.keyType !== TRANSACTION) {
        return { ...none, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown coordinator type ${req.keyType}` };
      }
      if (req.keyType === GROUP && !ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.GROUP, key)) {
        return { ...none, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: errorInfo(ErrorCode.GROUP_AUTHORIZATION_FAILED).message };
      }
      if (req.keyType === TRANSACTION && !ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)) {
        return { ...none, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, errorMessage: errorInfo(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED).message };
      }
      const type = req.keyType === GROUP ? 'group' : 'transaction';
      const coordinatorId = cluster.coordinatorFor(type, key);
      // Kafka creates the internal topic on the first FindCoordinator that needs it; the client retries meanwhile.
      if (coordinatorId < 0) createStateTopic(ctx.broker, type, ctx.log);
      const coordinator = cluster.broker(coordinatorId, ctx.connection.listenerName);
      if (!coordinator) return { ...none, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: null };
      return { key, nodeId: coordinator.nodeId, host: coordinator.host, port: coordinator.port, errorCode: ErrorCode.NONE, errorMessage: null };
    };
    if (ctx.version >= 4) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, nodeId: -1, host: '', port: -1, coordinators: req.coordinatorKeys.map(answer) };
    const one = answer(req.key);
    return { throttleTimeMs: 0, errorCode: one.errorCode!, errorMessage: one.errorMessage ?? null, nodeId: one.nodeId!, host: one.host!, port: one.port! };
  },
});

function createStateTopic(broker: Pick<BrokerServices, 'groups' | 'txn'>, type: 'group' | 'transaction', log: Logger): void {
  const ensure = type === 'group' ? broker.groups.ensureTopic() : broker.txn.coordinator.ensureTopic();
  ensure.catch((err: unknown) => log.warn({ err, type }, 'could not create the coordinator topic'));
}
