// Kafka's ACL vocabulary: resource types, pattern types, operations and permission types by their
// wire codes, ACL bindings, and the filters DescribeAcls/DeleteAcls match bindings with
// (ResourcePatternFilter/AccessControlEntryFilter semantics, null fields matching anything).

export const ResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const;
export type ResourceType = (typeof ResourceType)[keyof typeof ResourceType];

export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export type PatternType = (typeof PatternType)[keyof typeof PatternType];

export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;
export type AclOperation = (typeof AclOperation)[keyof typeof AclOperation];

export const PermissionType = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;
export type PermissionType = (typeof PermissionType)[keyof typeof PermissionType];

/** The name of the one CLUSTER resource. */
export const CLUSTER_NAME = 'kafka-cluster';
/** A LITERAL resource name or ACL host matching every name or host. */
export const WILDCARD = '*';
/** The ACL principal matching every principal. */
export const WILDCARD_PRINCIPAL = 'User:*';

/** One ACL: a resource pattern and an access control entry. */
export interface AclBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** A filter over bindings; null names, principals and hosts match anything. */
export interface AclBindingFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

/** Codes outside an enum read as UNKNOWN, as Kafka's fromCode does. */
function known(code: number, max: number): number {
  return Number.isInteger(code) && code >= 0 && code <= max ? code : 0;
}

/** The filter with out-of-range codes turned into UNKNOWN. */
export function normalizeFilter(f: AclBindingFilter): AclBindingFilter {
  return {
    ...f,
    resourceType: known(f.resourceType, ResourceType.USER),
    patternType: known(f.patternType, PatternType.PREFIXED),
    operation: known(f.operation, AclOperation.DESCRIBE_TOKENS),
    permissionType: known(f.permissionType, PermissionType.ALLOW),
  };
}

/** Whether a filter names an UNKNOWN element (Kafka refuses such filters). */
export function filterIsUnknown(f: AclBindingFilter): boolean {
  const n = normalizeFilter(f);
  return n.resourceType === ResourceType.UNKNOWN || n.patternType === PatternType.UNKNOWN
    || n.operation === AclOperation.UNKNOWN || n.permissionType === PermissionType.UNKNOWN;
}

/** ResourcePatternFilter.matches: ANY matches every type; MATCH also matches the patterns that would apply to the name. */
function patternMatches(f: AclBindingFilter, b: AclBinding): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== b.resourceType) return false;
  if (f.patternType !== PatternType.ANY && f.patternType !== PatternType.MATCH && f.patternType !== b.patternType) return false;
  if (f.resourceName === null) return true;
  if (f.patternType === PatternType.ANY || f.patternType === b.patternType) return f.resourceName === b.resourceName;
  // MATCH: the literal name itself, the wildcard, or a prefix of the name.
  if (b.patternType === PatternType.LITERAL) return f.resourceName === b.resourceName || b.resourceName === WILDCARD;
  return f.resourceName.startsWith(b.resourceName);
}

function entryMatches(f: AclBindingFilter, b: AclBinding): boolean {
  if (f.principal !== null && f.principal !== b.principal) return false;
  if (f.host !== null && f.host !== b.host) return false;
  if (f.operation !== AclOperation.ANY && f.operation !== b.operation) return false;
  return f.permissionType === PermissionType.ANY || f.permissionType === b.permissionType;
}

export function filterMatches(filter: AclBindingFilter, binding: AclBinding): boolean {
  const f = normalizeFilter(filter);
  return patternMatches(f, binding) && entryMatches(f, binding);
}

/**
 * Why Kafka refuses to create this ACL (AclApis and AclControlManager.validateNewAcl), or null.
 * Every reason is an INVALID_REQUEST.
 */
export function invalidAclReason(b: AclBinding): string | null {
  const type = known(b.resourceType, ResourceType.USER);
  if (type === ResourceType.UNKNOWN || type === ResourceType.ANY) return `Invalid resourceType ${typeName(type)}`;
  if (type === ResourceType.CLUSTER && b.resourceName !== CLUSTER_NAME) return `The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`;
  if (b.resourceName === '') return 'Invalid empty resource name';
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED) return `Invalid patternType ${patternName(b.patternType)}`;
  const op = known(b.operation, AclOperation.DESCRIBE_TOKENS);
  if (op === AclOperation.UNKNOWN || op === AclOperation.ANY) return `Invalid operation ${operationName(op)}`;
  if (b.permissionType !== PermissionType.DENY && b.permissionType !== PermissionType.ALLOW) return `Invalid permissionType ${permissionName(b.permissionType)}`;
  if (!b.principal.includes(':')) {
    return `Could not parse principal from \`${b.principal}\` (no colon is present separating the principal type from the principal name)`;
  }
  return null;
}

const nameOf = (table: Record<string, number>, code: number): string => Object.keys(table).find((k) => table[k] === code) ?? 'UNKNOWN';
export const typeName = (code: number): string => nameOf(ResourceType, code);
export const patternName = (code: number): string => nameOf(PatternType, code);
export const operationName = (code: number): string => nameOf(AclOperation, code);
export const permissionName = (code: number): string => nameOf(PermissionType, code);

/** A key identifying a binding (two equal bindings are one ACL). */
export function bindingKey(b: AclBinding): string {
  return JSON.stringify([b.resourceType, b.resourceName, b.patternType, b.principal, b.host, b.operation, b.permissionType]);
}
