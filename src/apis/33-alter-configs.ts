// AlterConfigs (key 33), versions 0-2.
// v1: same as v0. v2: flexible. The legacy API: a resource's given configs replace its whole
// override set. TOPIC and BROKER resources (name "" = cluster-wide default, else this node id).
import { alterConfigResources, AlterOp } from '../admin/config-resources.js';
import { AclOperation } from '../security/authorizer/acl.js';
import { configResourceRefusal, servePermitted } from '../security/authorizer/request-authorization.js';
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 33,
  minVersion: 0,
  maxVersion: 2,
  uses: ['config', 'topics', 'log'],
  async handle(req, ctx) {
    const resources = req.resources.map((r) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      changes: r.configs.map((c) => ({ name: c.name, op: AlterOp.SET, value: c.value })),
    }));
    const responses = await servePermitted(
      resources,
      (r) => configResourceRefusal(ctx.authz, AclOperation.ALTER_CONFIGS, r.resourceType, r.resourceName),
      (r, errorCode) => ({ resourceType: r.resourceType, resourceName: r.resourceName, errorCode, errorMessage: null }),
      (permitted) => alterConfigResources(ctx.broker, permitted, 'replace', req.validateOnly),
    );
    return { throttleTimeMs: 0, responses };
  },
});
