// DescribeCluster (key 60), versions 0-2.
// v0: cluster id, controller id, brokers, cluster authorized operations. v1: endpoint_type
// (1 = brokers, 2 = controllers); a broker answers only for brokers. v2: include_fenced_brokers
// and is_fenced (KIP-1073): a broker whose lease lapsed leaves the cluster view, so every broker
// listed is unfenced and there are no fenced ones to include. In KRaft a broker names a
// live broker as controller: the cluster view's controller (a single node names itself).
import { ErrorCode } from '../../protocol/errors.js';
import { OPS_OMITTED } from '../groups/authorized-operations.js';
import { CLUSTER_NAME, ResourceType } from '../security/authorizer/acl.js';
import { defineApi } from './api.js';

const BROKERS_ENDPOINT = 1;
const CONTROLLERS_ENDPOINT = 2;

export default defineApi({
  apiKey: 60,
  minVersion: 0,
  maxVersion: 2,
  uses: ['cluster'],
  handle(req, ctx) {
    const { broker, version } = ctx;
    const refuse = (v1Code: number, errorMessage: string) => ({
      throttleTimeMs: 0,
      errorCode: version === 0 ? ErrorCode.INVALID_REQUEST : v1Code,
      errorMessage,
      clusterId: '',
      controllerId: -1,
      brokers: [],
      clusterAuthorizedOperations: OPS_OMITTED,
    });
    if (req.endpointType !== BROKERS_ENDPOINT && req.endpointType !== CONTROLLERS_ENDPOINT) {
      return refuse(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, `Unsupported endpoint type ${req.endpointType}`);
    }
    if (req.endpointType === CONTROLLERS_ENDPOINT) {
      return refuse(ErrorCode.MISMATCHED_ENDPOINT_TYPE, 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER');
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: BROKERS_ENDPOINT,
      clusterId: broker.cluster.clusterId,
      controllerId: broker.cluster.controllerId,
      brokers: broker.cluster.brokers(ctx.connection.listenerName).map(({ nodeId, host, port, rack }) => ({ brokerId: nodeId, host, port, rack, isFenced: false })),
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? ctx.authz.operations(ResourceType.CLUSTER, CLUSTER_NAME) : OPS_OMITTED,
    };
  },
});
