// Who is in the cluster and who is its controller. A broker registers itself while it runs
// (liveness: an in-process registry for startCluster(), an etcd lease in cluster mode); the
// controller is the one broker that won the election, and it alone changes partition leaders,
// epochs and ISRs in the metadata store. Everyone else watches the live set and the store.

export interface BrokerEndpoint {
  /** Listener name, e.g. PLAINTEXT. */
  name: string;
  host: string;
  port: number;
  securityProtocol: string;
}

export interface BrokerRegistration {
  nodeId: number;
  /** Every client listener's advertised address, in configured order. */
  endpoints: BrokerEndpoint[];
  rack: string | null;
  /** Distinguishes one run of a broker from the next with the same node id (a new registration). */
  incarnation: string;
  /**
   * The broker's data dir (its directory.id in meta.properties), when it keeps one: a broker that
   * finds its node id registered with its own data dir's id knows the registration is its own
   * previous run's.
   */
  directoryId?: string;
}

/** A node id that is already live elsewhere: the broker must not start. */
export class NodeIdInUse extends Error {
  constructor(readonly nodeId: number) {
    super(`node id ${nodeId} is already registered by a live broker (another broker runs with this node id, or one that just died still holds its lease)`);
    this.name = 'NodeIdInUse';
  }
}

export interface ControllerCampaign {
  /** Whether this broker is the controller now. */
  readonly leading: boolean;
  /** Gives up leadership (or the campaign) so another broker can take it. */
  resign(): Promise<void>;
}

export interface Membership {
  /** Registers this broker as live; fails with NodeIdInUse when its node id is live already. */
  register(registration: BrokerRegistration): Promise<void>;
  /** The live brokers by node id, as last seen. */
  live(): ReadonlyMap<number, BrokerRegistration>;
  /** Hears every change of the live set; returns the unsubscribe function. */
  watchLive(listener: (live: ReadonlyMap<number, BrokerRegistration>) => void): () => void;
  /** The current controller's node id, or -1 while there is none. */
  controllerId(): number;
  /** Hears every change of controller; returns the unsubscribe function. */
  watchController(listener: (controllerId: number) => void): () => void;
  /**
   * Campaigns to become controller; `elected` runs when this broker wins, with its controller
   * epoch (greater than every earlier controller's; its metadata writes are fenced by it), `lost`
   * when it stops being controller (resigned, or its liveness lapsed).
   */
  campaign(elected: (controllerEpoch: number) => void, lost: () => void): ControllerCampaign;
  /** Deregisters (a clean stop) and releases what the membership holds. */
  close(): Promise<void>;
}
