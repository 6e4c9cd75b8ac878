// What a broker thread and the process hosting it (creek cluster --threads) say to each other over
// the thread's port. The host owns the cluster's shared state — the metadata store and the
// membership registry — and forwards every change of it to each broker thread; a broker thread
// calls the host for writes, registration and controller campaigns, and each call is answered by
// one reply. One port carries all of it, so a thread sees changes and replies in the order the
// host made them (a write's change arrives before the write's reply).
import type { BrokerRegistration } from '../membership.js';
import type { MetadataKind, MetadataRecords } from '../../metadata/metadata-store.js';

/** A document as it is sent: kind, key, value (null: deleted) and version. */
export interface DocumentMessage {
  kind: MetadataKind;
  key: string;
  value: MetadataRecords[MetadataKind] | null;
  version: number;
}

/** The membership as the host sees it: live brokers and the controller. */
export interface MembershipState {
  live: [number, BrokerRegistration][];
  controllerId: number;
}

/** What a broker thread starts from (its workerData), taken at the moment the host began forwarding changes. */
export interface BrokerThreadData {
  nodeId: number;
  clusterId: string;
  /** The `creek` command line of this broker (its own port, data dir, node id and settings). */
  argv: string[];
  documents: DocumentMessage[];
  membership: MembershipState;
}

export type HostCall =
  | { op: 'put'; kind: MetadataKind; key: string; value: MetadataRecords[MetadataKind]; expectedVersion?: number; controllerEpoch?: number }
  | { op: 'delete'; kind: MetadataKind; key: string; expectedVersion?: number; controllerEpoch?: number }
  | { op: 'register'; registration: BrokerRegistration }
  | { op: 'campaign'; campaign: number }
  | { op: 'resign'; campaign: number }
  | { op: 'close' };

/** An error a call failed with, rebuilt on the broker thread as the class of the same name where it knows it. */
export interface CallError {
  name: string;
  message: string;
}

export type ToBrokerThread =
  | { type: 'change'; change: DocumentMessage }
  | { type: 'membership'; state: MembershipState }
  | { type: 'reply'; id: number; result?: number; error?: CallError; state: MembershipState }
  | { type: 'elected'; campaign: number; controllerEpoch: number }
  | { type: 'lost'; campaign: number }
  | { type: 'stop' };

export type ToHost =
  | { type: 'call'; id: number; call: HostCall }
  | { type: 'ready' }
  | { type: 'stopped' };
