// AddRaftVoter (key 80), versions 0-1 (KIP-853; v1 adds ack_when_committed). Creek's quorum is
// static (src/cluster/static-quorum.ts), so a valid request is refused with UNSUPPORTED_VERSION,
// as Kafka refuses it on a cluster at kraft.version 0. Needs ALTER on the cluster, as in Kafka.
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { controllerListenerName, refuseVoterChange } from '../cluster/static-quorum.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 80,
  minVersion: 0,
  maxVersion: 1,
  uses: ['config', 'cluster'],
  handle(req, ctx) {
    if (!ctx.authz.allows(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: errorInfo(ErrorCode.CLUSTER_AUTHORIZATION_FAILED).message };
    }
    return { throttleTimeMs: 0, ...refuseVoterChange('adding', req, ctx.broker.cluster.clusterId, controllerListenerName(ctx.broker.config.staticProps.get('controller.listener.names'))) };
  },
});
