// Who a group member is, as Kafka records it: the request's client id and the peer address in
// Java's InetAddress form ("/127.0.0.1").
import type { RequestContext } from '../apis/api.js';
import type { ClientInfo } from './group-coordinator.js';

export function clientInfoOf(ctx: RequestContext): ClientInfo {
  const address = ctx.connection.remoteAddress;
  const host = address.slice(0, address.lastIndexOf(':')).replace(/^::ffff:/, '');
  return { clientId: ctx.header.clientId ?? '', clientHost: `/${host}` };
}
