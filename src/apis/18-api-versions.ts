// ApiVersions (key 18), versions 0-5.
// v1 adds throttle_time_ms; v2 no change; v3 is flexible and adds client software name/version
// and the supported and finalized features (tagged fields; src/cluster/features.ts); v4 no change
// (KIP-511 retry on v0).
// v5 (KIP-1242): the client names the cluster id and node id it expects to reach; both or neither
// must be set (else INVALID_REQUEST), and a broker that is not that node of that cluster answers
// REBOOTSTRAP_REQUIRED so the client rebootstraps. Refusals carry no API list, as Kafka's do.
// The response always travels with response header v0. The advertised list is computed from the
// registered handlers, so it cannot disagree with what the broker serves.
import { ErrorCode } from '../../protocol/errors.js';
import { featureFields } from '../cluster/features.js';
import { defineApi } from './api.js';

const SOFTWARE_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;
const NO_NODE = -1;

export default defineApi({
  apiKey: 18,
  minVersion: 0,
  maxVersion: 5,
  uses: ['cluster', 'apis'],
  handle(req, ctx) {
    const { apis, cluster } = ctx.broker;
    const refuse = (errorCode: number) => ({ errorCode, apiKeys: [], throttleTimeMs: 0 });
    if (ctx.version >= 3) {
      if (!SOFTWARE_NAME.test(req.clientSoftwareName) || !SOFTWARE_NAME.test(req.clientSoftwareVersion)) return refuse(ErrorCode.INVALID_REQUEST);
      if (ctx.version >= 5 && (req.clusterId === null) !== (req.nodeId === NO_NODE)) return refuse(ErrorCode.INVALID_REQUEST);
      ctx.connection.clientSoftware = `${req.clientSoftwareName}/${req.clientSoftwareVersion}`;
    }
    if (ctx.version >= 5 && req.clusterId !== null && (req.clusterId !== cluster.clusterId || req.nodeId !== cluster.localId)) {
      return refuse(ErrorCode.REBOOTSTRAP_REQUIRED);
    }
    return { ...apis.apiVersionsBody(ErrorCode.NONE), ...featureFields() };
  },
});
