// Membership for brokers that share one process (startCluster): a registry object holds the live
// set and the controller election, and each broker gets its own Membership handle on it. A
// broker is live from register() until close() (a clean stop) or expire() (its "lease" lapsing:
// a killed broker). Campaigners queue; the first live one is controller until it resigns or
// lapses, then the next takes over. Listeners hear changes after the change is complete
// (on a microtask, as a watch on a remote store would).
import { NodeIdInUse, type BrokerRegistration, type ControllerCampaign, type Membership } from './membership.js';

interface Campaigner {
  nodeId: number;
  elected: (controllerEpoch: number) => void;
  lost: () => void;
  leading: boolean;
}

export class InProcessMembershipRegistry {
  private readonly liveBrokers = new Map<number, BrokerRegistration>();
  private readonly campaigners: Campaigner[] = [];
  private controller = -1;
  /** Counts elections: the current controller's epoch (its writes to the shared store are fenced by it). */
  private epoch = 0;
  private readonly liveListeners = new Set<(live: ReadonlyMap<number, BrokerRegistration>) => void>();
  private readonly controllerListeners = new Set<(controllerId: number) => void>();

  /** A broker's own handle. */
  membership(): Membership {
    return new InProcessMembership(this);
  }

  live(): ReadonlyMap<number, BrokerRegistration> {
    return new Map(this.liveBrokers);
  }

  controllerId(): number {
    return this.controller;
  }

  /** The current controller's epoch, -1 while there is none. */
  controllerEpoch(): number {
    return this.controller === -1 ? -1 : this.epoch;
  }

  register(registration: BrokerRegistration): void {
    if (this.liveBrokers.has(registration.nodeId)) throw new NodeIdInUse(registration.nodeId);
    this.liveBrokers.set(registration.nodeId, registration);
    this.notifyLive();
    this.elect();
  }

  /** A broker's liveness lapses (killed): it leaves the live set and gives up any campaign. */
  expire(nodeId: number): void {
    const removed = this.liveBrokers.delete(nodeId);
    this.withdraw(nodeId);
    if (removed) this.notifyLive();
  }

  campaign(nodeId: number, elected: (controllerEpoch: number) => void, lost: () => void): ControllerCampaign {
    const c: Campaigner = { nodeId, elected, lost, leading: false };
    this.campaigners.push(c);
    this.elect();
    return {
      get leading() {
        return c.leading;
      },
      resign: async () => {
        this.remove(c);
      },
    };
  }

  withdraw(nodeId: number): void {
    for (const c of this.campaigners.filter((x) => x.nodeId === nodeId)) this.remove(c);
  }

  watchLive(listener: (live: ReadonlyMap<number, BrokerRegistration>) => void): () => void {
    this.liveListeners.add(listener);
    return () => this.liveListeners.delete(listener);
  }

  watchController(listener: (controllerId: number) => void): () => void {
    this.controllerListeners.add(listener);
    return () => this.controllerListeners.delete(listener);
  }

  private remove(c: Campaigner): void {
    const i = this.campaigners.indexOf(c);
    if (i < 0) return;
    this.campaigners.splice(i, 1);
    if (c.leading) {
      c.leading = false;
      this.setController(-1);
      queueMicrotask(c.lost);
    }
    this.elect();
  }

  /** The first queued campaigner whose broker is live becomes controller when there is none. */
  private elect(): void {
    if (this.campaigners.some((c) => c.leading)) return;
    const next = this.campaigners.find((c) => this.liveBrokers.has(c.nodeId));
    if (next === undefined) return;
    next.leading = true;
    const epoch = ++this.epoch;
    this.setController(next.nodeId);
    queueMicrotask(() => next.elected(epoch));
  }

  private setController(id: number): void {
    if (id === this.controller) return;
    this.controller = id;
    queueMicrotask(() => {
      for (const l of this.controllerListeners) l(id);
    });
  }

  private notifyLive(): void {
    queueMicrotask(() => {
      const live = this.live();
      for (const l of this.liveListeners) l(live);
    });
  }
}

class InProcessMembership implements Membership {
  private nodeId: number | undefined;
  private readonly unsubscribers = new Set<() => void>();

  constructor(private readonly registry: InProcessMembershipRegistry) {}

  async register(registration: BrokerRegistration): Promise<void> {
    this.registry.register(registration);
    this.nodeId = registration.nodeId;
  }

  live(): ReadonlyMap<number, BrokerRegistration> {
    return this.registry.live();
  }

  watchLive(listener: (live: ReadonlyMap<number, BrokerRegistration>) => void): () => void {
    return this.track(this.registry.watchLive(listener));
  }

  controllerId(): number {
    return this.registry.controllerId();
  }

  watchController(listener: (controllerId: number) => void): () => void {
    return this.track(this.registry.watchController(listener));
  }

  campaign(elected: (controllerEpoch: number) => void, lost: () => void): ControllerCampaign {
    if (this.nodeId === undefined) throw new Error('campaign before register');
    return this.registry.campaign(this.nodeId, elected, lost);
  }

  async close(): Promise<void> {
    for (const u of this.unsubscribers) u();
    this.unsubscribers.clear();
    if (this.nodeId !== undefined) this.registry.expire(this.nodeId);
  }

  private track(unsubscribe: () => void): () => void {
    this.unsubscribers.add(unsubscribe);
    return () => {
      this.unsubscribers.delete(unsubscribe);
      unsubscribe();
    };
  }
}
