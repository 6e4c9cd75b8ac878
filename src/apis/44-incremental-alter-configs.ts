// IncrementalAlterConfigs (key 44), versions 0-1.
// v1: flexible. Operations per key: SET (0), DELETE (1) back to the inherited value, APPEND (2)
// and SUBTRACT (3) on list configs. TOPIC and BROKER resources (name "" = cluster-wide default,
// else this node id).
import { alterConfigResources } from '../admin/config-resources.js';
import { AclOperation } from '../security/authorizer/acl.js';
import { configResourceRefusal, servePermitted } from '../security/authorizer/request-authorization.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 44,
  minVersion: 0,
  maxVersion: 1,
  uses: ['config', 'topics', 'log'],
  async handle(req, ctx) {
    const resources = req.resources.map((r) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      changes: r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value })),
    }));
    const responses = await servePermitted(
      resources,
      (r) => configResourceRefusal(ctx.authz, AclOperation.ALTER_CONFIGS, r.resourceType, r.resourceName),
      (r, errorCode) => ({ resourceType: r.resourceType, resourceName: r.resourceName, errorCode, errorMessage: null }),
      (permitted) => alterConfigResources(ctx.broker, permitted, 'incremental', req.validateOnly),
    );
    return { throttleTimeMs: 0, responses };
  },
});
