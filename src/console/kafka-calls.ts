// The console asks the broker what a Kafka admin client would ask, through the same handlers the
// Kafka listeners serve, called in process: a topic the console creates, an offset it resets or a
// record it produces meets exactly the checks, errors and ACLs a stock client meets. The caller is
// the HTTP user (User:<name> when credentials are required, else User:ANONYMOUS); what the
// console reads from the engines directly is checked against the same user's ACLs.
import type { AnyApiKey, RequestOf, ResponseOf } from '../../protocol/codec/messages.js';
import { NO_RESPONSE, type BrokerServices, type ConnectionInfo, type DispatchContext } from '../apis/api.js';
import { requestAuthorization, type RequestAuthorization } from '../security/authorizer/request-authorization.js';
import type { AclAuthorizer } from '../security/authorizer/acl-authorizer.js';

const CONSOLE_CLIENT_ID = 'creek-console';

/** Who calls: the HTTP user (undefined when the listener asks for no credentials) and the client's address. */
export interface ConsoleCaller {
  user: string | undefined;
  remoteAddress: string;
}

export type KafkaCall = <K extends AnyApiKey>(apiKey: K, request: RequestOf<K>) => Promise<ResponseOf<K>>;

export interface KafkaCallDeps {
  services: Pick<BrokerServices, 'apis' | 'log'>;
  authorizer: () => AclAuthorizer | null;
  /** The listener whose addresses the answers carry (the first client listener). */
  listenerName: string;
}

let nextConnectionId = -1;

/** One HTTP caller as a Kafka client: its ACL checks, and a function calling the broker's handlers (at their newest version) as it. */
export interface ConsoleSession {
  authz: RequestAuthorization;
  kafka: KafkaCall;
}

/**
 * The version of each API the console's requests are written for. Fixed, as a client's are: a
 * newer version can change what a request means (Produce v13 names topics by id).
 */
const CONSOLE_VERSIONS: Partial<Record<number, number>> = {
  0: 11, // Produce
  2: 10, // ListOffsets
  8: 9, // OffsetCommit
  15: 5, // DescribeGroups
  19: 7, // CreateTopics
  20: 6, // DeleteTopics
  32: 4, // DescribeConfigs
  35: 4, // DescribeLogDirs
  65: 0, // DescribeTransactions
  66: 1, // ListTransactions
  69: 0, // ConsumerGroupDescribe
  89: 0, // StreamsGroupDescribe
};

export function consoleSession(deps: KafkaCallDeps, caller: ConsoleCaller): ConsoleSession {
  const connection: ConnectionInfo = {
    // Negative ids keep console callers apart from the client connections the listeners number from 1.
    id: nextConnectionId--,
    remoteAddress: caller.remoteAddress,
    listenerName: deps.listenerName,
    clientId: CONSOLE_CLIENT_ID,
    closed: new AbortController().signal,
    principal: caller.user === undefined ? 'User:ANONYMOUS' : `User:${caller.user}`,
  };
  const log = deps.services.log.child({ component: 'console', principal: connection.principal });
  const authz = requestAuthorization(deps.authorizer(), connection, () => log);
  const kafka = async <K extends AnyApiKey>(apiKey: K, request: RequestOf<K>): Promise<ResponseOf<K>> => {
    const handler = deps.services.apis.get(apiKey);
    const version = CONSOLE_VERSIONS[apiKey];
    if (handler === undefined || version === undefined || version < handler.minVersion || version > handler.maxVersion) {
      throw new Error(`the broker serves no handler for API ${apiKey} at the version the console speaks`);
    }
    const ctx: DispatchContext = {
      broker: handler.services,
      header: { apiKey, apiVersion: version, correlationId: 0, clientId: CONSOLE_CLIENT_ID },
      version,
      connection,
      log,
      requestBytes: 0,
      authz,
    };
    const response = await handler.handle(request as never, ctx);
    if (response === NO_RESPONSE) throw new Error(`API ${apiKey} sent no response`);
    return response as ResponseOf<K>;
  };
  return { authz, kafka };
}
