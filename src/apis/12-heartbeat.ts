// Heartbeat (key 12), versions 0-4.
// v1: throttle time. v2: no change. v3: group_instance_id. v4: flexible.
import { defineApi } from './api.js';

export default defineApi({
  apiKey: 12,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    return { throttleTimeMs: 0, errorCode: ctx.broker.groups.heartbeat(req.groupId, req.memberId, req.groupInstanceId, req.generationId) };
  },
});
