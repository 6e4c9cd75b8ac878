// What an API handler is: the versions it serves and one function from a typed request to a
// typed response. ApiVersions advertises exactly the registered handlers' ranges.
import type { Logger } from 'pino';
import type { AnyApiKey, RequestOf, ResponseOf } from '../../protocol/codec/messages.js';
import type { RequestHeader } from '../../protocol/codec/headers.js';
import type { ClusterView } from '../cluster/cluster-view.js';
import type { TopicDescriptions } from '../cluster/topic-descriptions.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { FetchSessionCache } from '../fetch/fetch-sessions.js';
import type { GroupCoordinator } from '../groups/group-coordinator.js';
import type { ReplicaManager } from '../replica/replica-manager.js';
import type { SaslAuthenticator } from '../security/sasl-authenticator.js';
import type { RequestAuthorization } from '../security/authorizer/request-authorization.js';
import type { ScramCredentialStore } from '../security/scram-credentials.js';
import type { QuotaAlteration, QuotaEntity, QuotaFilterComponent } from '../quotas/client-quotas.js';
import type { MutationQuota, QuotaClient } from '../quotas/quota-meter.js';
import type { ReplicationQuotas } from '../quotas/replication-quota.js';
import type { TopicRegistry } from '../topics/topic-registry.js';
import type { TxnEngine } from '../txn/txn-engine.js';
import type { ApiVersionsResponse } from '../../protocol/schema/index.js';

export interface ConnectionInfo {
  readonly id: number;
  readonly remoteAddress: string;
  /** The listener the client came in on (its advertised address is the one the client is given). */
  readonly listenerName: string;
  clientId: string | null;
  /** Software name/version from ApiVersions v3+. */
  clientSoftware?: string;
  /** Aborted when the connection closes (ends long polls early). */
  readonly closed: AbortSignal;
  /** Who the client is: `User:<name>` once SASL-authenticated, `User:<certificate subject>` with a TLS client certificate, else `User:ANONYMOUS`. */
  principal: string;
  /** The SASL state on a SASL listener; absent on a PLAINTEXT one. */
  readonly sasl?: SaslAuthenticator;
}

/** What the data path reports to the broker's metrics. */
export interface DataPathMetrics {
  produced(topic: string, bytes: number, records: number): void;
  produceFailed(topic: string): void;
  /** One partition of a fetch response: `bytes` and `records` sent, or a failure. */
  fetched(topic: string, bytes: number, records: number, failed: boolean): void;
}

/** The client quota settings (DescribeClientQuotas/AlterClientQuotas). */
export interface ClientQuotaSettings {
  /** The entities matching a filter, with their quota values; a bad filter throws QuotaRequestError. */
  describe(components: readonly QuotaFilterComponent[], strict: boolean): { entity: QuotaEntity; values: Map<string, number> }[];
  /** Applies (or only validates) each alteration; per alteration the reason it was refused, or null. */
  alter(alterations: readonly QuotaAlteration[], validateOnly: boolean): Promise<(string | null)[]>;
}

/** Byte-rate quota accounting of the data path: each call answers the throttle time in ms (0 within quota). */
export interface ByteRateQuotas {
  recordProduce(client: QuotaClient, bytes: number): number;
  recordFetch(client: QuotaClient, bytes: number): number;
  /** The most bytes a consumer's fetch may ask for under the client's consumer_byte_rate (Kafka's maxValueInQuotaWindow); Infinity without one. */
  fetchWindowBytes(client: QuotaClient): number;
  /** controller_mutation_rate (KIP-599) for one CreateTopics / CreatePartitions / DeleteTopics request. */
  mutations(client: QuotaClient, strict: boolean): MutationQuota;
}

/** What handlers use of the partition layer: partitions to read and append to, not the state changes the cluster member drives. */
export type PartitionAccess = Pick<ReplicaManager, 'getPartition' | 'leaderPartition' | 'appendRecords'>;

/** What handlers use of producer state and the transaction coordinator: not its start, replication, upkeep or close. */
export type TxnAccess = Pick<TxnEngine, 'coordinator' | 'addPartitions' | 'verifyForProducer' | 'append' | 'lastStableOffset' | 'abortedTransactions' | 'producers' | 'writeMarkerAsLeader'>;

/** The handlers a broker serves, by API key: the one source for ApiVersions (see registry.ts). */
export interface ServedApis {
  get(apiKey: number): ServedApi | undefined;
  apiVersionsBody(errorCode: number): ApiVersionsResponse;
}

/**
 * The engines handlers use, each by its own type; the broker (src/broker.ts) provides them and
 * handlers never import it. Partition data only through `replicas`, cluster facts (brokers,
 * leaders, coordinators, controller) only through `cluster`. A handler sees only the engines it
 * names in `uses`.
 */
export interface BrokerServices {
  readonly config: BrokerConfig;
  readonly replicas: PartitionAccess;
  readonly cluster: ClusterView;
  /** Topics as Metadata describes them (partitions' leaders, epochs, replica sets), kept until they change. */
  readonly topicDescriptions: TopicDescriptions;
  /** Topic names, ids, creation, deletion and configs. */
  readonly topics: TopicRegistry;
  readonly txn: TxnAccess;
  readonly groups: GroupCoordinator;
  readonly fetchSessions: FetchSessionCache;
  readonly scramCredentials: ScramCredentialStore;
  /** Client quotas as configured (APIs 48/49). */
  readonly quotas: ClientQuotaSettings;
  /** producer_byte_rate / consumer_byte_rate (KIP-219) and controller_mutation_rate (KIP-599) enforcement. */
  readonly quotaMeter: ByteRateQuotas;
  /** Replication throttling: the leader side applies to followers' fetches. */
  readonly replicationQuotas: Pick<ReplicationQuotas, 'leader'>;
  /** Produce and fetch counters for /metrics. */
  readonly metrics: DataPathMetrics;
  /** The registered handlers (ApiVersions). */
  readonly apis: ServedApis;
  readonly log: Logger;
}

/** The name of one engine in BrokerServices. */
export type ServiceName = keyof BrokerServices;

/**
 * What one request's handler is given. `S` names the engines in `broker`: a handler's own `uses`,
 * or, in a helper's signature, the engines that helper reaches (none when omitted).
 */
export interface RequestContext<S extends ServiceName = never> {
  /** Only the engines the handler declared in `uses` (the registry builds this object once per handler). */
  readonly broker: Pick<BrokerServices, S>;
  readonly header: RequestHeader;
  readonly version: number;
  readonly connection: ConnectionInfo;
  readonly log: Logger;
  /** Bytes of the request as received (what produce quotas count). */
  readonly requestBytes: number;
  /** ACL checks for this request's client (always allowed without an authorizer). */
  readonly authz: RequestAuthorization;
  /**
   * Memory for bytes that go into this request's response (a fetch's records), at least `bytes`
   * long: the connection reuses it once the response is written, so nothing else may keep it.
   */
  readonly responseBuffer?: (bytes: number) => Buffer;
}

/** A response, or NO_RESPONSE when Kafka sends none (produce with acks=0). */
export const NO_RESPONSE = Symbol('no response');

declare const bound: unique symbol;
/** A handler's own engines as the registry bound them (see ServedApi.services); nothing else has this type. */
export type BoundServices = Pick<BrokerServices, ServiceName> & { readonly [bound]: true };

/** What the dispatchers (a connection, the console) give a request: `broker` is the handler's own `services`. */
export type DispatchContext = Omit<RequestContext, 'broker'> & { readonly broker: BoundServices };

type Answer<K extends AnyApiKey> = ResponseOf<K> | typeof NO_RESPONSE | Promise<ResponseOf<K> | typeof NO_RESPONSE>;

interface ApiRange<K extends AnyApiKey> {
  readonly apiKey: K;
  readonly minVersion: number;
  readonly maxVersion: number;
  /**
   * The handler keeps no view of the request's bytes once it has answered (what it stores is
   * copied), so the connection may reuse the request's buffer for a later request.
   */
  readonly keepsNoRequestBytes?: boolean;
}

/** One API key's handler, and the engines it uses: `ctx.broker` holds those and nothing else. */
export interface ApiHandler<K extends AnyApiKey = AnyApiKey, S extends ServiceName = ServiceName> extends ApiRange<K> {
  readonly uses: readonly S[];
  handle(request: RequestOf<K>, ctx: RequestContext<S>): Answer<K>;
}

/**
 * A registered handler as dispatchers call it. `services` holds the engines it declared and nothing
 * else (see registry.ts); a dispatcher puts them in the request's context as `broker` when it makes
 * that context, rather than the registry copying each context to add them.
 */
export interface ServedApi<K extends AnyApiKey = AnyApiKey> extends ApiRange<K> {
  readonly services: BoundServices;
  handle(request: RequestOf<K>, ctx: DispatchContext): Answer<K>;
}

export function defineApi<K extends AnyApiKey, S extends ServiceName = never>(handler: ApiHandler<K, S>): ApiHandler<K, S> {
  return handler;
}
