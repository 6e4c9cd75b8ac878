// KIP-951: a produce or fetch answer that names a partition's new leader (NOT_LEADER_OR_FOLLOWER,
// FENCED_LEADER_EPOCH) also carries that broker's address, once per broker.
import type { BrokerNode, ClusterView } from '../cluster/cluster-view.js';

/**
 * Adds the address of the leader a partition's answer names to `endpoints`, unless it is there
 * already or unknown. Called per partition answer; does nothing when it names no leader, the
 * common case, so the hot path allocates nothing for it.
 */
export function addLeaderEndpoint(
  endpoints: BrokerNode[],
  cluster: Pick<ClusterView, 'broker'>,
  listenerName: string,
  currentLeader: { leaderId?: number } | undefined,
): void {
  const leaderId = currentLeader?.leaderId ?? -1;
  if (leaderId < 0 || endpoints.some((e) => e.nodeId === leaderId)) return;
  const endpoint = cluster.broker(leaderId, listenerName);
  if (endpoint !== undefined) endpoints.push(endpoint);
}
