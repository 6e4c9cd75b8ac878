// The HTTP face of fault injection, for tests in any language: POST /admin/faults/<kind> adds a
// fault (201 with its listing), GET /admin/faults lists them with their hit counts, DELETE clears
// one or all. Added only when creek.faults.enable is on; the listener's guards (Host, same-origin
// writes, Basic auth when the Kafka listeners use SASL) apply as to every route.
import { HttpError, jsonResponse, type HttpRequest, type HttpResponse, type Router } from '../http/router.js';
import { FaultError, type Fault, type FaultInjector } from './fault-injector.js';

/** A JSON object as received: the injector checks every field it reads. */
type Body = never;

export function addFaultRoutes(router: Router, faults: FaultInjector): void {
  const adding = (inject: (body: Body) => Fault) => async (req: HttpRequest): Promise<HttpResponse> => {
    const body = await req.json();
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body must be a JSON object');
    const fault = attempt(() => inject(body as Body));
    return jsonResponse(201, faults.list().find((f) => f.id === fault.id) ?? { id: fault.id, kind: fault.kind, hits: fault.hits });
  };
  router.add('POST', '/admin/faults/requests/fail', adding((b) => faults.failRequests(b)));
  router.add('POST', '/admin/faults/requests/delay', adding((b) => faults.delayResponses(b)));
  router.add('POST', '/admin/faults/requests/close', adding((b) => faults.closeAfterRequest(b)));
  router.add('POST', '/admin/faults/partitions/not-leader', adding((b) => faults.notLeader(b)));
  router.add('POST', '/admin/faults/partitions/stall-writes', adding((b) => faults.stallWrites(b)));
  router.add('POST', '/admin/faults/groups/pause', adding((b) => faults.pauseGroup(b)));
  router.add('POST', '/admin/faults/connections/close', async (req) => {
    const body = ((await req.json()) ?? {}) as { clientId?: unknown };
    if (body.clientId !== undefined && typeof body.clientId !== 'string') throw badRequest('clientId must be a string');
    const clientId = body.clientId;
    return jsonResponse(200, { closed: attempt(() => faults.closeConnections(clientId === undefined ? {} : { clientId })) });
  });
  router.add('GET', '/admin/faults', () => jsonResponse(200, faults.list()));
  router.add('GET', '/admin/faults/:id', (req) => {
    const fault = faults.list().find((f) => f.id === Number(req.params.id));
    if (fault === undefined) throw notFound(req.params.id!);
    return jsonResponse(200, fault);
  });
  router.add('DELETE', '/admin/faults', () => jsonResponse(200, { cleared: faults.clearAll() }));
  router.add('DELETE', '/admin/faults/:id', (req) => {
    if (!faults.clear(Number(req.params.id))) throw notFound(req.params.id!);
    return jsonResponse(200, { cleared: 1 });
  });
}

function attempt<T>(inject: () => T): T {
  try {
    return inject();
  } catch (err) {
    if (err instanceof FaultError) throw err.disabled ? new HttpError(403, { error_code: 403, message: err.message }) : badRequest(err.message);
    throw err;
  }
}

function badRequest(message: string): HttpError {
  return new HttpError(400, { error_code: 400, message });
}

function notFound(id: string): HttpError {
  return new HttpError(404, { error_code: 404, message: `no fault ${id}` });
}
