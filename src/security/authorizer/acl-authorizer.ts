// Kafka's StandardAuthorizer semantics over an in-memory ACL set: super users may do anything;
// otherwise the ACLs whose pattern covers the resource (the LITERAL name, the LITERAL `*`
// wildcard, PREFIXED patterns the name starts with) decide — any matching DENY wins, then any
// matching ALLOW; ALLOW of READ/WRITE/DELETE/ALTER implies DESCRIBE and ALLOW of ALTER_CONFIGS
// implies DESCRIBE_CONFIGS (never for DENY). With no ACL on the resource at all, the answer is
// allow.everyone.if.no.acl.found; with ACLs on it but none for this principal, it is denied.
// The ACLs live in the metadata store (<dataDir>/acls.json, or the cluster's etcd), written
// before a change is acknowledged; every change, this broker's or another's, reaches the ACLs
// held here through the store's watch.
import {
  AclOperation,
  PatternType,
  PermissionType,
  ResourceType,
  WILDCARD,
  WILDCARD_PRINCIPAL,
  bindingKey,
  filterMatches,
  type AclBinding,
  type AclBindingFilter,
} from './acl.js';
import { CLUSTER_KEY, type AclsRecord, type MetadataStore } from '../../metadata/metadata-store.js';
import { updateDocument } from '../../metadata/update-document.js';

/** Who asks: `Type:name` and the client's IP address. */
export interface Session {
  principal: string;
  host: string;
}

export interface AuthorizerOptions {
  /** Principals (`User:alice`) allowed everything. */
  superUsers: ReadonlySet<string>;
  allowEveryoneIfNoAclFound: boolean;
  /** Where the ACLs are kept. */
  metadata: MetadataStore;
}

const IMPLIES_DESCRIBE: ReadonlySet<number> = new Set([AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER]);
const IMPLIES_DESCRIBE_CONFIGS: ReadonlySet<number> = new Set([AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS]);

/** The operations each resource type supports (Kafka's AclEntry.supportedOperations), for authorized-operation sets. */
export const SUPPORTED_OPERATIONS: Readonly<Record<number, readonly number[]>> = {
  [ResourceType.TOPIC]: [AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
  // DESCRIBE_CONFIGS and ALTER_CONFIGS since group configs (KIP-848).
  [ResourceType.GROUP]: [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
  [ResourceType.CLUSTER]: [AclOperation.CREATE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE],
  [ResourceType.TRANSACTIONAL_ID]: [AclOperation.DESCRIBE, AclOperation.WRITE],
  [ResourceType.DELEGATION_TOKEN]: [AclOperation.DESCRIBE],
  [ResourceType.USER]: [AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS],
};

/** The authorized-operations bit set (bit n = operation code n) of a principal allowed everything. */
export function allOperationsBits(resourceType: number): number {
  return (SUPPORTED_OPERATIONS[resourceType] ?? []).reduce((bits, op) => bits | (1 << op), 0);
}

/** What one ACL says about a request: ALLOW, DENY, or nothing (null). The resource is already known to match. */
function verdict(acl: AclBinding, session: Session, op: number): 'allow' | 'deny' | null {
  if (acl.principal !== session.principal && acl.principal !== WILDCARD_PRINCIPAL) return null;
  if (acl.host !== WILDCARD && acl.host !== session.host) return null;
  if (acl.operation !== AclOperation.ALL) {
    if (acl.permissionType === PermissionType.ALLOW) {
      if (op === AclOperation.DESCRIBE) {
        if (!IMPLIES_DESCRIBE.has(acl.operation)) return null;
      } else if (op === AclOperation.DESCRIBE_CONFIGS) {
        if (!IMPLIES_DESCRIBE_CONFIGS.has(acl.operation)) return null;
      } else if (acl.operation !== op) return null;
    } else if (acl.operation !== op) return null;
  }
  return acl.permissionType === PermissionType.ALLOW ? 'allow' : 'deny';
}

/** Whether an ACL's pattern covers the named resource. */
function covers(acl: AclBinding, resourceType: number, name: string): boolean {
  if (acl.resourceType !== resourceType) return false;
  if (acl.patternType === PatternType.LITERAL) return acl.resourceName === name || acl.resourceName === WILDCARD;
  return acl.patternType === PatternType.PREFIXED && name.startsWith(acl.resourceName);
}

function record(acls: AclBinding[]): AclsRecord {
  return { version: 1, acls };
}

export class AclAuthorizer {
  private readonly byKey = new Map<string, AclBinding>();
  /** ACLs by resource type, for the lookups on every request. */
  private byType = new Map<number, AclBinding[]>();
  private readonly superUsers: ReadonlySet<string>;
  private readonly allowEveryone: boolean;
  private readonly metadata: MetadataStore;

  /** Loads the ACLs of the metadata store and follows its changes. */
  constructor({ superUsers, allowEveryoneIfNoAclFound, metadata }: AuthorizerOptions) {
    this.superUsers = superUsers;
    this.allowEveryone = allowEveryoneIfNoAclFound;
    this.metadata = metadata;
    this.replace(metadata.get('acls', CLUSTER_KEY)?.value.acls ?? []);
    metadata.watch('acls', (change) => this.replace(change.value?.acls ?? []));
  }

  /** Whether the session may perform `op` on the resource named `name` of this type. */
  authorize(session: Session, op: number, resourceType: number, name: string): boolean {
    if (this.superUsers.has(session.principal)) return true;
    let allowed = false;
    let resourceHasAcls = false;
    for (const acl of this.byType.get(resourceType) ?? []) {
      if (!covers(acl, resourceType, name)) continue;
      resourceHasAcls = true;
      const v = verdict(acl, session, op);
      if (v === 'deny') return false;
      if (v === 'allow') allowed = true;
    }
    return allowed || (!resourceHasAcls && this.allowEveryone);
  }

  /**
   * Whether the session may perform `op` on at least one resource of this type (Kafka's
   * Authorizer.authorizeByResourceType, KIP-679): some ALLOW pattern of the principal for that
   * operation (or ALL) that no DENY literal of the same name or DENY prefix of it overrides.
   */
  authorizeByResourceType(session: Session, op: number, resourceType: number): boolean {
    // A made-up name: lets super users through, and everyone when no ACL exists and the default allows.
    if (this.authorize(session, op, resourceType, 'hardcode')) return true;
    const denyLiterals = new Set<string>();
    const denyPrefixes = new Set<string>();
    const allowLiterals: string[] = [];
    const allowPrefixes: string[] = [];
    let wildcardAllow = false;
    for (const acl of this.byType.get(resourceType) ?? []) {
      if (acl.host !== session.host && acl.host !== WILDCARD) continue;
      if (acl.principal !== session.principal && acl.principal !== WILDCARD_PRINCIPAL) continue;
      if (acl.operation !== op && acl.operation !== AclOperation.ALL) continue;
      const literal = acl.patternType === PatternType.LITERAL;
      if (acl.permissionType === PermissionType.DENY) {
        if (literal && acl.resourceName === WILDCARD) return false;
        (literal ? denyLiterals : denyPrefixes).add(acl.resourceName);
      } else if (literal && acl.resourceName === WILDCARD) {
        wildcardAllow = true;
      } else {
        (literal ? allowLiterals : allowPrefixes).push(acl.resourceName);
      }
    }
    if (wildcardAllow) return true;
    const deniedByPrefix = (name: string): boolean => {
      for (let i = 1; i <= name.length; i++) if (denyPrefixes.has(name.slice(0, i))) return true;
      return false;
    };
    return allowLiterals.some((n) => !denyLiterals.has(n) && !deniedByPrefix(n)) || allowPrefixes.some((n) => !deniedByPrefix(n));
  }

  /** The operations the session may perform on the resource, as a bit set (bit n = operation code n). */
  authorizedOperations(session: Session, resourceType: number, name: string): number {
    return (SUPPORTED_OPERATIONS[resourceType] ?? []).reduce((bits, op) => (this.authorize(session, op, resourceType, name) ? bits | (1 << op) : bits), 0);
  }

  /** The ACLs a filter matches. */
  acls(filter: AclBindingFilter): AclBinding[] {
    return [...this.byKey.values()].filter((acl) => filterMatches(filter, acl));
  }

  /**
   * Adds ACLs (an existing one is no change) and resolves once they are saved and apply here.
   * The change is made against the stored ACLs, so grants made at once through other brokers
   * sharing the store are kept.
   */
  async createAcls(acls: readonly AclBinding[]): Promise<void> {
    await updateDocument(this.metadata, 'acls', CLUSTER_KEY, (current) => {
      const byKey = new Map((current?.acls ?? []).map((acl) => [bindingKey(acl), acl]));
      const before = byKey.size;
      for (const acl of acls) byKey.set(bindingKey(acl), { ...acl });
      return byKey.size === before ? null : record([...byKey.values()]);
    });
  }

  /** Removes the ACLs each filter matches, as createAcls saves; per filter, the ACLs it removed. */
  async deleteAcls(filters: readonly AclBindingFilter[]): Promise<AclBinding[][]> {
    let removed: AclBinding[][] = [];
    await updateDocument(this.metadata, 'acls', CLUSTER_KEY, (current) => {
      const stored = current?.acls ?? [];
      removed = filters.map((f) => stored.filter((acl) => filterMatches(f, acl)));
      const gone = new Set(removed.flat().map(bindingKey));
      return gone.size === 0 ? null : record(stored.filter((acl) => !gone.has(bindingKey(acl))));
    });
    return removed;
  }

  private replace(acls: readonly AclBinding[]): void {
    this.byKey.clear();
    for (const acl of acls) this.byKey.set(bindingKey(acl), acl);
    this.reindex();
  }

  private reindex(): void {
    const byType = new Map<number, AclBinding[]>();
    for (const acl of this.byKey.values()) {
      const list = byType.get(acl.resourceType) ?? [];
      list.push(acl);
      byType.set(acl.resourceType, list);
    }
    this.byType = byType;
  }
}
