// Confluent Schema Registry's REST API at its standard paths, answering with its content type
// (application/vnd.schemaregistry.v1+json) and its error bodies ({"error_code", "message"}).
import { HttpError, type HttpRequest, type HttpResponse, type Router } from '../http/router.js';
import { SCHEMA_TYPES, type SchemaType } from './formats/format.js';
import { COMPATIBILITY_LEVELS, MODES, RegistryError, parseVersion, type SchemaInput, type SchemaRegistry } from './schema-registry.js';
import type { SchemaReference, SchemaVersion } from './schema-store.js';

export const REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

function ok(body: unknown): HttpResponse {
  return { status: 200, contentType: REGISTRY_CONTENT_TYPE, body: JSON.stringify(body) };
}

/** Turns the registry's errors into Confluent's HTTP answers. */
function handle(fn: (req: HttpRequest) => unknown): (req: HttpRequest) => Promise<HttpResponse> {
  return async (req) => {
    try {
      return ok(await fn(req));
    } catch (err) {
      if (err instanceof RegistryError) throw new HttpError(err.status, { error_code: err.errorCode, message: err.message }, REGISTRY_CONTENT_TYPE);
      if (err instanceof HttpError) throw new HttpError(err.status, err.body, REGISTRY_CONTENT_TYPE);
      throw err;
    }
  };
}

const flag = (req: HttpRequest, name: string): boolean => req.query.get(name) === 'true';
const unprocessable = (code: number, message: string): RegistryError => new RegistryError(422, code, message);

async function schemaInput(req: HttpRequest): Promise<SchemaInput & { id?: number; version?: number }> {
  const body = (await req.json()) as Record<string, unknown> | null;
  if (body === null || typeof body !== 'object' || typeof body.schema !== 'string') throw unprocessable(42201, 'Invalid schema: the request has no "schema" string');
  const schemaType = (body.schemaType ?? 'AVRO') as SchemaType;
  if (!SCHEMA_TYPES.includes(schemaType)) throw unprocessable(42201, `Invalid schema type ${String(body.schemaType)}`);
  const references = (body.references ?? []) as SchemaReference[];
  if (!Array.isArray(references) || references.some((r) => typeof r?.name !== 'string' || typeof r.subject !== 'string' || typeof r.version !== 'number')) {
    throw unprocessable(42201, 'Invalid schema: each reference needs a name, a subject and a version');
  }
  return {
    schema: body.schema,
    schemaType,
    references,
    ...(typeof body.id === 'number' ? { id: body.id } : {}),
    ...(typeof body.version === 'number' ? { version: body.version } : {}),
  };
}

/** A version as Confluent shows it: no schemaType for Avro, no references when there are none. */
function versionBody(v: SchemaVersion): Record<string, unknown> {
  return { subject: v.subject, version: v.version, id: v.id, ...schemaBody(v) };
}

function schemaBody(v: SchemaVersion): Record<string, unknown> {
  return { ...(v.schemaType === 'AVRO' ? {} : { schemaType: v.schemaType }), ...(v.references.length > 0 ? { references: v.references } : {}), schema: v.schema };
}

async function compatibilityBody(req: HttpRequest, name: string): Promise<string> {
  const body = (await req.json()) as Record<string, unknown> | null;
  const level = typeof body?.[name] === 'string' ? (body[name] as string).toUpperCase() : '';
  if (!(COMPATIBILITY_LEVELS as readonly string[]).includes(level)) {
    throw unprocessable(42203, 'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive');
  }
  return level;
}

async function modeBody(req: HttpRequest): Promise<string> {
  const body = (await req.json()) as Record<string, unknown> | null;
  const mode = typeof body?.mode === 'string' ? body.mode.toUpperCase() : '';
  if (!(MODES as readonly string[]).includes(mode)) throw unprocessable(42204, `Invalid mode. Valid values are ${MODES.join(', ')}`);
  return mode;
}

function schemaId(text: string): number {
  const id = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id)) throw new RegistryError(404, 40403, `Schema ${text} not found`);
  return id;
}

export function addSchemaRegistryRoutes(router: Router, registry: SchemaRegistry): void {
  router
    .add('GET', '/schemas/types', handle(() => SCHEMA_TYPES))
    .add('GET', '/schemas/ids/:id', handle((req) => schemaBody(registry.schemaById(schemaId(req.params.id!)))))
    .add('GET', '/schemas/ids/:id/schema', handle((req) => JSON.parse(registry.schemaById(schemaId(req.params.id!)).schema) as unknown))
    .add('GET', '/schemas/ids/:id/versions', handle((req) => registry.subjectVersionsOf(schemaId(req.params.id!), flag(req, 'deleted'))))
    .add('GET', '/schemas/ids/:id/subjects', handle((req) => [...new Set(registry.subjectVersionsOf(schemaId(req.params.id!), flag(req, 'deleted')).map((v) => v.subject))]))
    .add('GET', '/subjects', handle((req) => registry.subjects(flag(req, 'deleted'), req.query.get('subjectPrefix') ?? '')))
    .add('POST', '/subjects/:subject', handle(async (req) => versionBody(registry.lookup(req.params.subject!, await schemaInput(req), flag(req, 'deleted')))))
    .add('DELETE', '/subjects/:subject', handle((req) => registry.deleteSubject(req.params.subject!, flag(req, 'permanent'))))
    .add('GET', '/subjects/:subject/versions', handle((req) => registry.versionNumbers(req.params.subject!, flag(req, 'deleted'))))
    .add('POST', '/subjects/:subject/versions', handle(async (req) => {
      const { id, version, ...input } = await schemaInput(req);
      return { id: await registry.register(req.params.subject!, input, { ...(id === undefined ? {} : { id }), ...(version === undefined ? {} : { version }) }) };
    }))
    .add('GET', '/subjects/:subject/versions/:version', handle((req) => versionBody(registry.version(req.params.subject!, parseVersion(req.params.version!), flag(req, 'deleted')))))
    .add('GET', '/subjects/:subject/versions/:version/schema', handle((req) => JSON.parse(registry.version(req.params.subject!, parseVersion(req.params.version!), flag(req, 'deleted')).schema) as unknown))
    .add('GET', '/subjects/:subject/versions/:version/referencedby', handle((req) => registry.referencedBy(req.params.subject!, parseVersion(req.params.version!))))
    .add('DELETE', '/subjects/:subject/versions/:version', handle((req) => registry.deleteVersion(req.params.subject!, parseVersion(req.params.version!), flag(req, 'permanent'))))
    .add('POST', '/compatibility/subjects/:subject/versions/:version', handle(async (req) => compatibilityAnswer(req, registry.compatibilityErrors(req.params.subject!, await schemaInput(req), parseVersion(req.params.version!)))))
    .add('POST', '/compatibility/subjects/:subject/versions', handle(async (req) => compatibilityAnswer(req, registry.compatibilityErrors(req.params.subject!, await schemaInput(req)))))
    .add('GET', '/config', handle(() => ({ compatibilityLevel: registry.compatibilityLevel(null) ?? 'BACKWARD' })))
    .add('PUT', '/config', handle(async (req) => {
      const level = await compatibilityBody(req, 'compatibility');
      await registry.setCompatibility(null, level);
      return { compatibility: level };
    }))
    .add('DELETE', '/config', handle(async () => ({ compatibilityLevel: await registry.deleteCompatibility(null) })))
    .add('GET', '/config/:subject', handle((req) => {
      const subject = req.params.subject!;
      const level = registry.compatibilityLevel(subject) ?? (flag(req, 'defaultToGlobal') ? registry.effectiveCompatibility(subject) : undefined);
      if (level === undefined) throw new RegistryError(404, 40408, `Subject '${subject}' does not have subject-level compatibility configured`);
      return { compatibilityLevel: level };
    }))
    .add('PUT', '/config/:subject', handle(async (req) => {
      const level = await compatibilityBody(req, 'compatibility');
      await registry.setCompatibility(req.params.subject!, level);
      return { compatibility: level };
    }))
    .add('DELETE', '/config/:subject', handle(async (req) => ({ compatibilityLevel: await registry.deleteCompatibility(req.params.subject!) })))
    .add('GET', '/mode', handle(() => ({ mode: registry.effectiveMode(null) })))
    .add('PUT', '/mode', handle(async (req) => {
      const mode = await modeBody(req);
      await registry.setMode(null, mode, flag(req, 'force'));
      return { mode };
    }))
    .add('GET', '/mode/:subject', handle((req) => {
      const subject = req.params.subject!;
      const mode = registry.mode(subject) ?? (flag(req, 'defaultToGlobal') ? registry.effectiveMode(subject) : undefined);
      if (mode === undefined) throw new RegistryError(404, 40409, `Subject '${subject}' does not have subject-level mode configured`);
      return { mode };
    }))
    .add('PUT', '/mode/:subject', handle(async (req) => {
      const mode = await modeBody(req);
      await registry.setMode(req.params.subject!, mode, flag(req, 'force'));
      return { mode };
    }))
    .add('DELETE', '/mode/:subject', handle(async (req) => ({ mode: await registry.deleteMode(req.params.subject!) })));
}

function compatibilityAnswer(req: HttpRequest, errors: string[]): Record<string, unknown> {
  return { is_compatible: errors.length === 0, ...(flag(req, 'verbose') ? { messages: errors } : {}) };
}
