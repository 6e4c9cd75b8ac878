// Client quotas (KIP-546 AlterClientQuotas/DescribeClientQuotas, Kafka's ClientQuotaControlManager
// rules): quota values per entity — a user, a client id, both, or an IP — where a null name is the
// default entity of its type. Kept in the metadata store (`<dataDir>/client-quotas.json`, or the
// cluster's etcd), written before a change is acknowledged; every change, this broker's or
// another's, reaches the quotas held here through the store's watch. `quotaFor` resolves the
// quota that applies to a (user, client id) pair with Kafka's precedence, `connectionRateFor` the
// connection_creation_rate of an address.
import { isIPv6 } from 'node:net';
import { CLUSTER_KEY, type MetadataStore, type StoredClientQuota } from '../metadata/metadata-store.js';
import { updateDocument } from '../metadata/update-document.js';

export const USER = 'user';
export const CLIENT_ID = 'client-id';
export const IP = 'ip';

/** Entity type → name (null = the default entity of that type). */
export type QuotaEntity = ReadonlyMap<string, string | null>;

/** Quota keys of user and client-id entities with their types (QuotaConfig.userAndClientQuotaConfigs), and of IP entities. */
const USER_CLIENT_KEYS: Readonly<Record<string, 'LONG' | 'DOUBLE'>> = {
  producer_byte_rate: 'LONG',
  consumer_byte_rate: 'LONG',
  request_percentage: 'DOUBLE',
  controller_mutation_rate: 'DOUBLE',
};
const IP_KEYS: Readonly<Record<string, 'INT'>> = { connection_creation_rate: 'INT' };

export interface QuotaAlteration {
  entity: readonly { entityType: string; entityName: string | null }[];
  ops: readonly { key: string; value: number; remove: boolean }[];
}

/** A DescribeClientQuotas filter component: EXACT (0) a name, DEFAULT (1) the default entity, SPECIFIED (2) any entity of the type. */
export interface QuotaFilterComponent {
  entityType: string;
  matchType: number;
  match: string | null;
}

export const MATCH_EXACT = 0;
export const MATCH_DEFAULT = 1;
export const MATCH_SPECIFIED = 2;

/** A refusal: Kafka's error code name and message. */
export class QuotaRequestError extends Error {
  constructor(
    readonly code: 'INVALID_REQUEST' | 'UNSUPPORTED_VERSION',
    message: string,
  ) {
    super(message);
  }
}

/** A stable key for an entity: its entries sorted by type. */
function entityKey(entity: QuotaEntity): string {
  return JSON.stringify([...entity].sort(([a], [b]) => (a < b ? -1 : 1)));
}

interface QuotaEntry {
  entity: QuotaEntity;
  values: Map<string, number>;
}

/** The stored quotas by entity key. */
function entriesOf(stored: readonly StoredClientQuota[]): Map<string, QuotaEntry> {
  const entries = new Map<string, QuotaEntry>();
  for (const e of stored) {
    const entity = new Map(e.entity);
    entries.set(entityKey(entity), { entity, values: new Map(Object.entries(e.values)) });
  }
  return entries;
}

export class ClientQuotas {
  private entries: Map<string, QuotaEntry> = new Map();
  /** connection_creation_rate by canonical address; null is the default IP entity. */
  private connectionRates = new Map<string | null, number>();

  private constructor(private readonly metadata: MetadataStore) {}

  /** Loads the quotas of the metadata store and follows its changes. */
  static open(metadata: MetadataStore): ClientQuotas {
    const quotas = new ClientQuotas(metadata);
    quotas.replace(metadata.get('clientQuotas', CLUSTER_KEY)?.value.quotas ?? []);
    metadata.watch('clientQuotas', (change) => quotas.replace(change.value?.quotas ?? []));
    return quotas;
  }

  /** Applies alterations (each entity on its own: valid ones apply, invalid ones report why); saves before resolving. */
  async alter(alterations: readonly QuotaAlteration[], validateOnly: boolean): Promise<(string | null)[]> {
    const planned: { key: string; entity: QuotaEntity; ops: QuotaAlteration['ops'] }[] = [];
    const results = alterations.map((a) => {
      const checked = checkAlteration(a);
      if (typeof checked === 'string') return checked;
      planned.push({ key: entityKey(checked), entity: checked, ops: a.ops });
      return null;
    });
    if (validateOnly || planned.length === 0) return results;
    // Applied to the stored quotas, so alterations made at once through other brokers are kept.
    await updateDocument(this.metadata, 'clientQuotas', CLUSTER_KEY, (current) => {
      const entries = entriesOf(current?.quotas ?? []);
      for (const { key, entity, ops } of planned) {
        const values = entries.get(key)?.values ?? new Map<string, number>();
        for (const op of ops) {
          if (op.remove) values.delete(op.key);
          else values.set(op.key, op.value);
        }
        if (values.size === 0) entries.delete(key);
        else entries.set(key, { entity, values });
      }
      return {
        version: 1,
        quotas: [...entries.values()].map(({ entity, values }) => ({ entity: [...entity], values: Object.fromEntries(values) })),
      };
    });
    return results;
  }

  private replace(stored: readonly StoredClientQuota[]): void {
    this.entries = entriesOf(stored);
    this.connectionRates = new Map();
    for (const { entity, values } of this.entries.values()) {
      const rate = values.get('connection_creation_rate');
      if (rate === undefined || entity.size !== 1 || !entity.has(IP)) continue;
      const name = entity.get(IP)!;
      this.connectionRates.set(name === null ? null : canonicalAddress(name), rate);
    }
  }

  /**
   * The connection_creation_rate of a client address (as the socket reports it): its own IP
   * entity's, else the default IP entity's, else none (Kafka's ConnectionQuotas.connectionRateForIp).
   */
  connectionRateFor(address: string): number | null {
    if (this.connectionRates.size === 0) return null;
    return this.connectionRates.get(canonicalAddress(address)) ?? this.connectionRates.get(null) ?? null;
  }

  /** The entities a filter matches with their values (ClientQuotasImage.describe). Throws QuotaRequestError. */
  describe(components: readonly QuotaFilterComponent[], strict: boolean): { entity: QuotaEntity; values: Map<string, number> }[] {
    const exact = new Map<string, string | null>();
    const typed = new Set<string>();
    for (const c of components) {
      if (c.entityType === '') throw new QuotaRequestError('INVALID_REQUEST', 'Invalid empty entity type.');
      if (exact.has(c.entityType) || typed.has(c.entityType)) {
        throw new QuotaRequestError('INVALID_REQUEST', `Entity type ${c.entityType} cannot appear more than once in the filter.`);
      }
      if (c.entityType !== USER && c.entityType !== CLIENT_ID && c.entityType !== IP) {
        throw new QuotaRequestError('UNSUPPORTED_VERSION', `Unsupported entity type ${c.entityType}`);
      }
      if (c.matchType === MATCH_EXACT) exact.set(c.entityType, c.match);
      else if (c.matchType === MATCH_DEFAULT) exact.set(c.entityType, null);
      else if (c.matchType === MATCH_SPECIFIED) typed.add(c.entityType);
      else throw new QuotaRequestError('INVALID_REQUEST', `Unexpected match type ${c.matchType}`);
    }
    const uses = (t: string): boolean => exact.has(t) || typed.has(t);
    if (uses(IP) && (uses(USER) || uses(CLIENT_ID))) {
      throw new QuotaRequestError('INVALID_REQUEST', 'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.');
    }
    return [...this.entries.values()].filter(({ entity }) => {
      if (strict && entity.size !== exact.size + typed.size) return false;
      for (const [type, name] of exact) if (!entity.has(type) || entity.get(type) !== name) return false;
      for (const type of typed) if (!entity.has(type)) return false;
      return true;
    });
  }

  private sets(key: string): boolean {
    for (const { values } of this.entries.values()) if (values.has(key)) return true;
    return false;
  }

  /**
   * The quota `key` that applies to a client, with the entity it belongs to (clients sharing an
   * entity share its quota). Kafka's precedence: user+client-id, user+default client-id, user,
   * default user+client-id, default user+default client-id, default user, client-id, default client-id.
   */
  quotaFor(key: string, user: string, clientId: string): { bound: number; entity: string } | null {
    // Asked on every request: answer at once when no entity sets this key.
    if (!this.sets(key)) return null;
    const candidates: [string | null | undefined, string | null | undefined][] = [
      [user, clientId],
      [user, null],
      [user, undefined],
      [null, clientId],
      [null, null],
      [null, undefined],
      [undefined, clientId],
      [undefined, null],
    ];
    for (const [u, c] of candidates) {
      const entity = new Map<string, string | null>();
      if (u !== undefined) entity.set(USER, u);
      if (c !== undefined) entity.set(CLIENT_ID, c);
      const k = entityKey(entity);
      const bound = this.entries.get(k)?.values.get(key);
      if (bound !== undefined) return { bound, entity: k };
    }
    return null;
  }
}

/**
 * One spelling per address, so an IP entity matches a socket's address however either is written:
 * an IPv4 address seen on a dual-stack socket as itself, an IPv6 address in its shortest form.
 */
function canonicalAddress(address: string): string {
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  return isIPv6(address) ? new URL(`http://[${address}]`).hostname.slice(1, -1) : address;
}

/** The entity of a valid alteration, or why Kafka refuses it (INVALID_REQUEST). */
function checkAlteration(a: QuotaAlteration): QuotaEntity | string {
  if (a.entity.length === 0) return 'Invalid empty client quota entity';
  const entity = new Map<string, string | null>();
  for (const { entityType, entityName } of a.entity) {
    if (entity.has(entityType)) return `Invalid client quota entity, duplicate entity entry ${entityType}`;
    if (entityType !== USER && entityType !== CLIENT_ID && entityType !== IP) return `Unhandled client quota entity type: ${entityType}`;
    if (entityName === '') return `Empty ${entityType} not supported`;
    entity.set(entityType, entityName);
  }
  let keys: Readonly<Record<string, string>>;
  if (entity.has(IP)) {
    if (entity.has(USER) || entity.has(CLIENT_ID)) return 'Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId';
    keys = IP_KEYS;
  } else {
    keys = USER_CLIENT_KEYS;
  }
  for (const op of a.ops) {
    if (op.remove) continue;
    const type = keys[op.key];
    if (type === undefined) return `Invalid configuration key ${op.key}`;
    if (!(op.value > 0)) return `Quota ${op.key} must be greater than 0`;
    if (type === 'INT' && op.value > 2147483647) return `Proposed value for ${op.key} is too large for an INT.`;
    if (type !== 'DOUBLE' && Math.abs(op.value % 1) > 1e-6) return `${op.key} cannot be a fractional value.`;
  }
  return entity;
}
