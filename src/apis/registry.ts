// The set of registered handlers by API key; the single source for ApiVersions.
import type { ApiVersionsResponse } from '../../protocol/schema/index.js';
import type { ApiHandler, ServedApis } from './api.js';
import { apiDef } from '../../protocol/codec/messages.js';

export class ApiRegistry implements ServedApis {
  private readonly byKey = new Map<number, ApiHandler>();

  constructor(handlers: readonly ApiHandler[]) {
    for (const h of handlers) {
      const def = apiDef(h.apiKey);
      if (!def || h.minVersion < def.minVersion || h.maxVersion > def.maxVersion) {
        throw new Error(`handler for api ${h.apiKey} serves versions its schema does not define`);
      }
      if (def.latestVersionUnstable && h.maxVersion === def.maxVersion) {
        throw new Error(`handler for api ${h.apiKey} advertises v${h.maxVersion}, which Kafka marks unstable`);
      }
      if (this.byKey.has(h.apiKey)) throw new Error(`two handlers for api ${h.apiKey}`);
      this.byKey.set(h.apiKey, h);
    }
  }

  get(apiKey: number): ApiHandler | undefined {
    return this.byKey.get(apiKey);
  }

  all(): ApiHandler[] {
    return [...this.byKey.values()].sort((a, b) => a.apiKey - b.apiKey);
  }

  apiVersionsBody(errorCode: number): ApiVersionsResponse {
    return {
      errorCode,
      apiKeys: this.all().map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion })),
      throttleTimeMs: 0,
    };
  }
}
