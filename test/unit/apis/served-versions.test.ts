// Every API Creek serves is served up to the newest version Kafka defines as stable (the schemas
// follow Kafka 4.4's message specs), so stock clients negotiate the newest versions; ApiVersions
// advertises exactly the registered ranges.
import { describe, expect, it } from 'vitest';
import { apiDefs } from '../../../protocol/schema/index.js';
import { handlers } from '../../../src/apis/index.js';
import { ApiRegistry } from '../../../src/apis/registry.js';
import { serviceStandIns } from '../../helpers/service-stand-ins.js';

describe('served versions', () => {
  it("reach the newest stable version of each served API's schema", () => {
    const behind = handlers.flatMap((h) => {
      const def = apiDefs.find((d) => d.apiKey === h.apiKey)!;
      const newestStable = def.latestVersionUnstable ? def.maxVersion - 1 : def.maxVersion;
      return h.maxVersion < newestStable ? [`${def.name} (key ${h.apiKey}) serves up to v${h.maxVersion}, Kafka defines v${newestStable}`] : [];
    });
    expect(behind).toEqual([]);
  });

  it('are what ApiVersions advertises', () => {
    const body = new ApiRegistry(handlers, serviceStandIns()).apiVersionsBody(0);
    expect(body.apiKeys).toEqual([...handlers].sort((a, b) => a.apiKey - b.apiKey).map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion })));
  });
});
