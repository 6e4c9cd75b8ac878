// What a handler asks about the client of its request: may it perform an operation on a
// resource. Without an authorizer every answer is yes and authorized-operation sets are full, as
// in Kafka without authorizer.class.name.
import { ErrorCode } from '../../../protocol/errors.js';
import type { Logger } from 'pino';
import { AclOperation, CLUSTER_NAME, ResourceType, operationName, typeName } from './acl.js';
import { allOperationsBits, type AclAuthorizer, type Session } from './acl-authorizer.js';

/** What the ACL APIs (DescribeAcls, CreateAcls, DeleteAcls) do with the authorizer's ACLs. */
export type AclAdministration = Pick<AclAuthorizer, 'acls' | 'createAcls' | 'deleteAcls'>;

export interface RequestAuthorization {
  /** The configured authorizer's ACLs, or null without one (ACL APIs answer SECURITY_DISABLED). */
  readonly authorizer: AclAdministration | null;
  /** Who asks, for ACL decisions and logs. */
  session(): Session;
  /** May the client perform `op` (an AclOperation) on the resource `name` of `resourceType`? */
  allows(op: number, resourceType: number, name: string): boolean;
  /** May it perform `op` on at least one resource of the type (KIP-679)? */
  allowsAny(op: number, resourceType: number): boolean;
  /** The authorized-operations bit set of a resource (bit n = operation code n). */
  operations(resourceType: number, name: string): number;
}

/** The client address without its port; an IPv4-mapped IPv6 address as plain IPv4, as Java reports it. */
export function clientHost(remoteAddress: string): string {
  const host = remoteAddress.slice(0, remoteAddress.lastIndexOf(':'));
  return host.startsWith('::ffff:') && host.includes('.') ? host.slice(7) : host;
}

/**
 * The checks for one connection, whose principal may change when it authenticates. Refusals are
 * logged at debug level (Kafka's authorizer audit log), as `log()` names the connection now.
 */
export function requestAuthorization(
  authorizer: AclAuthorizer | null,
  connection: { readonly principal: string; readonly remoteAddress: string },
  log: () => Logger,
): RequestAuthorization {
  const host = clientHost(connection.remoteAddress);
  const session = (): Session => ({ principal: connection.principal, host });
  if (authorizer === null) {
    return { authorizer, session, allows: () => true, allowsAny: () => true, operations: (type) => allOperationsBits(type) };
  }
  return {
    authorizer,
    session,
    allows: (op, type, name) => {
      const s = session();
      const allowed = authorizer.authorize(s, op, type, name);
      if (!allowed) log().debug({ principal: s.principal, host: s.host, operation: operationName(op), resource: `${typeName(type)}:${name}` }, 'authorization denied');
      return allowed;
    },
    allowsAny: (op, type) => authorizer.authorizeByResourceType(session(), op, type),
    operations: (type, name) => authorizer.authorizedOperations(session(), type, name),
  };
}

/** Kafka's rule for creating a topic (CreateTopics, auto-creation): CREATE on the cluster or on the topic. */
export function mayCreateTopic(authz: RequestAuthorization, name: string): boolean {
  return authz.allows(AclOperation.CREATE, ResourceType.CLUSTER, CLUSTER_NAME) || authz.allows(AclOperation.CREATE, ResourceType.TOPIC, name);
}

/** DescribeConfigs/AlterConfigs resource type codes (ConfigResource.Type) of topics and groups; every other type is the cluster's. */
const CONFIG_TOPIC = 2;
const CONFIG_GROUP = 32;

/**
 * Why a config resource is refused for `op` (DESCRIBE_CONFIGS or ALTER_CONFIGS), or NONE (0):
 * topics and groups need the operation on themselves, brokers, loggers and client metrics on the cluster.
 */
export function configResourceRefusal(authz: RequestAuthorization, op: number, configResourceType: number, name: string): number {
  if (configResourceType === CONFIG_TOPIC) return authz.allows(op, ResourceType.TOPIC, name) ? ErrorCode.NONE : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  if (configResourceType === CONFIG_GROUP) return authz.allows(op, ResourceType.GROUP, name) ? ErrorCode.NONE : ErrorCode.GROUP_AUTHORIZATION_FAILED;
  return authz.allows(op, ResourceType.CLUSTER, CLUSTER_NAME) ? ErrorCode.NONE : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
}

/**
 * Runs `run` on the items not refused and answers the refused ones with `refused`, in request
 * order: the shape of every handler that serves part of a request.
 */
export async function servePermitted<In, Out>(
  items: readonly In[],
  refusal: (item: In) => number,
  refused: (item: In, errorCode: number) => Out,
  run: (permitted: In[]) => Promise<Out[]>,
): Promise<Out[]> {
  const codes = items.map(refusal);
  const permitted = items.filter((_, i) => codes[i] === ErrorCode.NONE);
  const served = permitted.length === 0 ? [] : await run(permitted);
  let next = 0;
  return items.map((item, i) => (codes[i] === ErrorCode.NONE ? served[next++]! : refused(item, codes[i]!)));
}
