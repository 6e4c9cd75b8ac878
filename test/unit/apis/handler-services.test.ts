// Each handler is given only the engines it declares in `uses`: the registry binds it, once, to an
// object holding those engines and nothing else, which is the only `broker` a dispatcher can pass.
import { describe, expect, it } from 'vitest';
import { NO_RESPONSE, defineApi, type ApiHandler, type DispatchContext } from '../../../src/apis/api.js';
import { handlers } from '../../../src/apis/index.js';
import { ApiRegistry } from '../../../src/apis/registry.js';
import { serviceStandIns } from '../../helpers/service-stand-ins.js';

const dispatch = { header: { apiKey: 0, apiVersion: 0, correlationId: 0, clientId: 'test' }, version: 0, requestBytes: 0 } as unknown as Omit<DispatchContext, 'broker'>;

/** Registers `handler` with its handle replaced by one that answers what it was given as `ctx.broker`. */
async function brokerSeenBy(handler: ApiHandler, services = serviceStandIns()): Promise<object> {
  let seen: object | undefined;
  const capture = { ...handler, handle: (_req: unknown, c: { broker: object }) => ((seen = c.broker), NO_RESPONSE) } as unknown as ApiHandler;
  const served = new ApiRegistry([capture], services).get(handler.apiKey)!;
  await served.handle({} as never, { ...dispatch, broker: served.services });
  return seen!;
}

describe("a handler's engines", () => {
  it.each(handlers.map((h) => [h.apiKey, h] as const))('api %i sees exactly the engines it declares', async (_key, handler) => {
    const services = serviceStandIns();
    const broker = await brokerSeenBy(handler, services);
    expect(Object.keys(broker).sort()).toEqual([...new Set(handler.uses)].sort());
    for (const name of handler.uses) expect((broker as Record<string, unknown>)[name]).toBe(services[name]);
    expect(Object.isFrozen(broker)).toBe(true);
  });

  it('are declared once each', () => {
    const repeated = handlers.filter((h) => new Set(h.uses).size !== h.uses.length).map((h) => h.apiKey);
    expect(repeated).toEqual([]);
  });

  it('exclude undeclared engines, and a dispatcher cannot pass all of them instead', async () => {
    const heartbeat = handlers.find((h) => h.apiKey === 12)!;
    const services = serviceStandIns();
    const served = new ApiRegistry([heartbeat], services).get(12)!;
    expect(Object.keys(served.services)).toEqual(['groups']);
    expect('topics' in served.services).toBe(false);
    // Checked by the typecheck that `npm test` runs first: a context carrying every engine does not compile.
    // @ts-expect-error only the registry makes a handler's `broker` (BoundServices)
    const everything: Parameters<typeof served.handle>[1] = { ...dispatch, broker: services };
    expect(everything.broker).toBe(services);
  });

  it('are read when the request comes, so an engine the broker sets after registering its handlers is the one seen', async () => {
    const services = serviceStandIns();
    const probe = defineApi({ apiKey: 12, minVersion: 0, maxVersion: 4, uses: ['groups'], handle: (_req, ctx) => (ctx.broker.groups as unknown as { engine: string }).engine as never });
    const registry = new ApiRegistry([probe as unknown as ApiHandler], services);
    services.groups = { engine: 'groups, set later' } as never;
    const served = registry.get(12)!;
    expect(await served.handle({} as never, { ...dispatch, broker: served.services })).toBe('groups, set later');
  });

  it('a handler declaring none gets an empty object', async () => {
    const probe = defineApi({ apiKey: 17, minVersion: 0, maxVersion: 1, uses: [], handle: () => NO_RESPONSE });
    expect(Object.keys(await brokerSeenBy(probe as unknown as ApiHandler))).toEqual([]);
  });
});
