// Each handler is given only the engines it declares in `uses`: the registry binds it, once, to an
// object holding those engines and nothing else, whatever the dispatcher passes.
import { describe, expect, it } from 'vitest';
import { NO_RESPONSE, defineApi, type ApiHandler, type DispatchContext } from '../../../src/apis/api.js';
import { handlers } from '../../../src/apis/index.js';
import { ApiRegistry } from '../../../src/apis/registry.js';
import { serviceStandIns } from '../../helpers/service-stand-ins.js';

const dispatch = { header: { apiKey: 0, apiVersion: 0, correlationId: 0, clientId: 'test' }, version: 0, requestBytes: 0 } as unknown as DispatchContext;

/** Registers `handler` with its handle replaced by one that answers what it was given as `ctx.broker`. */
async function brokerSeenBy(handler: ApiHandler, services = serviceStandIns(), ctx: DispatchContext = dispatch): Promise<object> {
  let seen: object | undefined;
  const capture = { ...handler, handle: (_req: unknown, c: { broker: object }) => ((seen = c.broker), NO_RESPONSE) } as unknown as ApiHandler;
  await new ApiRegistry([capture], services).get(handler.apiKey)!.handle({} as never, ctx);
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

  it('exclude undeclared engines even when the dispatcher passes all of them', async () => {
    const heartbeat = handlers.find((h) => h.apiKey === 12)!;
    const services = serviceStandIns();
    const broker = (await brokerSeenBy(heartbeat, services, { ...dispatch, broker: services } as DispatchContext)) as Record<string, unknown>;
    expect(Object.keys(broker)).toEqual(['groups']);
    expect('topics' in broker).toBe(false);
    expect(broker.topics).toBeUndefined();
  });

  it('are read when the request comes, so an engine the broker sets after registering its handlers is the one seen', async () => {
    const services = serviceStandIns();
    const probe = defineApi({ apiKey: 12, minVersion: 0, maxVersion: 4, uses: ['groups'], handle: (_req, ctx) => (ctx.broker.groups as unknown as { engine: string }).engine as never });
    const registry = new ApiRegistry([probe as unknown as ApiHandler], services);
    services.groups = { engine: 'groups, set later' } as never;
    expect(await registry.get(12)!.handle({} as never, dispatch)).toBe('groups, set later');
  });

  it('a handler declaring none gets an empty object', async () => {
    const probe = defineApi({ apiKey: 17, minVersion: 0, maxVersion: 1, uses: [], handle: () => NO_RESPONSE });
    expect(Object.keys(await brokerSeenBy(probe as unknown as ApiHandler))).toEqual([]);
  });
});
