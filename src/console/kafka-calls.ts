// The console asks the broker what a Kafka admin client would ask, through the same handlers the
// Kafka listeners serve, called in process: a topic the console creates, an offset it resets or a
// record it produces meets exactly the checks, errors and ACLs a stock client meets. The caller is
// the HTTP user (User:<name> when credentials are required, else User:ANONYMOUS).
import type { AnyApiKey, RequestOf, ResponseOf } from '../../protocol/codec/messages.js';
import { NO_RESPONSE, type BrokerServices, type ConnectionInfo, type RequestContext } from '../apis/api.js';
import { requestAuthorization } from '../security/authorizer/request-authorization.js';
import type { AclAuthorizer } from '../security/authorizer/acl-authorizer.js';

const CONSOLE_CLIENT_ID = 'creek-console';

/** Who calls: the HTTP user (undefined when the listener asks for no credentials) and the client's address. */
export interface ConsoleCaller {
  user: string | undefined;
  remoteAddress: string;
}

export type KafkaCall = <K extends AnyApiKey>(apiKey: K, request: RequestOf<K>) => Promise<ResponseOf<K>>;

export interface KafkaCallDeps {
  services: BrokerServices;
  authorizer: () => AclAuthorizer | null;
  /** The listener whose addresses the answers carry (the first client listener). */
  listenerName: string;
}

let nextConnectionId = -1;

/** A function calling the broker's handlers (at their newest version) on behalf of one HTTP caller. */
export function kafkaCallsFor(deps: KafkaCallDeps, caller: ConsoleCaller): KafkaCall {
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
  return async <K extends AnyApiKey>(apiKey: K, request: RequestOf<K>): Promise<ResponseOf<K>> => {
    const handler = deps.services.apis.get(apiKey);
    if (handler === undefined) throw new Error(`the broker serves no handler for API ${apiKey}`);
    const ctx: RequestContext = {
      broker: deps.services,
      header: { apiKey, apiVersion: handler.maxVersion, correlationId: 0, clientId: CONSOLE_CLIENT_ID },
      version: handler.maxVersion,
      connection,
      log,
      requestBytes: 0,
      authz,
    };
    const response = await handler.handle(request as never, ctx);
    if (response === NO_RESPONSE) throw new Error(`API ${apiKey} sent no response`);
    return response as ResponseOf<K>;
  };
}
