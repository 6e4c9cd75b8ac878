// Creek's metadata quorum is static: its brokers come from configuration and are never voted in or
// out, which is what Kafka calls kraft.version 0. Kafka's voter changes (KIP-853) need
// kraft.version 1, so on such a cluster Kafka refuses AddRaftVoter and RemoveRaftVoter with
// UNSUPPORTED_VERSION once the request itself is valid; these are the checks it makes first.
import { ZERO_UUID } from '../../protocol/codec/reader.js';
import { ErrorCode } from '../../protocol/errors.js';

const KRAFT_VERSION = { name: 'kraft.version', level: 0 };

export interface VoterChangeRefusal {
  errorCode: number;
  errorMessage: string | null;
}

export interface VoterListener {
  name: string;
  host: string;
  port: number;
}

/**
 * The answer to a voter change on a static quorum; `change` is "adding" or "removing". A voter
 * being added must name an endpoint on the quorum's listener, `controllerListener`.
 */
export function refuseVoterChange(
  change: 'adding' | 'removing',
  request: { clusterId: string | null; voterId: number; voterDirectoryId: string; listeners?: readonly VoterListener[] },
  clusterId: string,
  controllerListener: string,
): VoterChangeRefusal {
  if (request.clusterId !== null && request.clusterId !== clusterId) {
    return { errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID, errorMessage: `The given id "${request.clusterId}" doesn't match the cluster id "${clusterId}"` };
  }
  if (request.voterId < 0 || request.voterDirectoryId === ZERO_UUID) {
    const verb = change === 'adding' ? 'Add' : 'Remove';
    return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `${verb} voter request didn't include a valid voter` };
  }
  const listeners = request.listeners;
  if (listeners !== undefined && !listeners.some((l) => l.name === controllerListener)) {
    return {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `Add voter request didn't include the endpoint (${endpointsText(listeners)}) for the default listener ListenerName(${controllerListener})`,
    };
  }
  return {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    errorMessage: `Cluster doesn't support ${change} voter because the ${KRAFT_VERSION.name} feature is ${KRAFT_VERSION.level}`,
  };
}

/**
 * The endpoints as Kafka's Endpoints.toString prints them (a Java map of listener name to an
 * unresolved address), in request order where Kafka prints its hash map's order.
 */
function endpointsText(listeners: readonly VoterListener[]): string {
  return `Endpoints(endpoints={${listeners.map((l) => `ListenerName(${l.name})=${l.host}/<unresolved>:${l.port}`).join(', ')}})`;
}

/** The quorum's listener: the first of controller.listener.names, Kafka's conventional CONTROLLER when unset. */
export function controllerListenerName(controllerListenerNames: string | undefined): string {
  return controllerListenerNames?.split(',')[0]?.trim() || 'CONTROLLER';
}
