// ListPartitionReassignments (key 46), version 0 (flexible): ongoing reassignments of the named
// partitions (null: all). Creek is one node, so no reassignment is ever in progress: the list is
// empty, and unknown topics are left out as Kafka's controller does.
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 46,
  minVersion: 0,
  maxVersion: 0,
  handle(_req, ctx) {
    if (!ctx.authz.allows(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, topics: [] };
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [] };
  },
});
