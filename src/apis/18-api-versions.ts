// ApiVersions (key 18), versions 0-4.
// v1 adds throttle_time_ms; v2 no change; v3 is flexible and adds client software name/version
// (and supported/finalized features as tagged fields); v4 no change (KIP-511 retry on v0).
// The response always travels with response header v0. The advertised list is computed from the
// registered handlers, so it cannot disagree with what the broker serves.
import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from './api.js';

const SOFTWARE_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export default defineApi({
  apiKey: 18,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const body = ctx.broker.apis.apiVersionsBody(ErrorCode.NONE);
    if (ctx.version >= 3) {
      if (!SOFTWARE_NAME.test(req.clientSoftwareName) || !SOFTWARE_NAME.test(req.clientSoftwareVersion)) {
        return { ...body, errorCode: ErrorCode.INVALID_REQUEST };
      }
      ctx.connection.clientSoftware = `${req.clientSoftwareName}/${req.clientSoftwareVersion}`;
    }
    return body;
  },
});
