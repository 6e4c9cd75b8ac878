// The Membership of a broker thread (creek cluster --threads): the live set and the controller as
// the host last forwarded them (read synchronously, as brokers do), registration and campaigns as
// calls to the host's in-process registry. Listeners hear a change once, whether it arrived in a
// forwarded update or in a call's reply.
import type { BrokerRegistration, ControllerCampaign, Membership } from '../membership.js';
import type { HostLink } from './host-link.js';
import type { MembershipState } from './thread-messages.js';

interface Campaign {
  elected: (controllerEpoch: number) => void;
  lost: () => void;
  leading: boolean;
}

export class ThreadMembership implements Membership {
  private liveBrokers = new Map<number, BrokerRegistration>();
  private controller = -1;
  private readonly liveListeners = new Set<(live: ReadonlyMap<number, BrokerRegistration>) => void>();
  private readonly controllerListeners = new Set<(controllerId: number) => void>();
  private readonly campaigns = new Map<number, Campaign>();
  private nextCampaign = 1;
  private host: HostLink | undefined;

  constructor(state: MembershipState) {
    this.liveBrokers = new Map(state.live);
    this.controller = state.controllerId;
  }

  /** The link its calls go through (made after this object, which applies the link's replies). */
  connect(host: HostLink): void {
    this.host = host;
  }

  apply(state: MembershipState): void {
    const live = new Map(state.live);
    if (!sameLiveSet(live, this.liveBrokers)) {
      this.liveBrokers = live;
      for (const l of this.liveListeners) l(new Map(live));
    }
    if (state.controllerId !== this.controller) {
      this.controller = state.controllerId;
      for (const l of this.controllerListeners) l(state.controllerId);
    }
  }

  elected(campaign: number, controllerEpoch: number): void {
    const c = this.campaigns.get(campaign);
    if (c === undefined) return;
    c.leading = true;
    c.elected(controllerEpoch);
  }

  lost(campaign: number): void {
    const c = this.campaigns.get(campaign);
    if (c === undefined) return;
    this.campaigns.delete(campaign);
    c.leading = false;
    c.lost();
  }

  async register(registration: BrokerRegistration): Promise<void> {
    await this.link().call({ op: 'register', registration });
  }

  live(): ReadonlyMap<number, BrokerRegistration> {
    return new Map(this.liveBrokers);
  }

  watchLive(listener: (live: ReadonlyMap<number, BrokerRegistration>) => void): () => void {
    this.liveListeners.add(listener);
    return () => this.liveListeners.delete(listener);
  }

  controllerId(): number {
    return this.controller;
  }

  watchController(listener: (controllerId: number) => void): () => void {
    this.controllerListeners.add(listener);
    return () => this.controllerListeners.delete(listener);
  }

  campaign(elected: (controllerEpoch: number) => void, lost: () => void): ControllerCampaign {
    const id = this.nextCampaign++;
    const c: Campaign = { elected, lost, leading: false };
    this.campaigns.set(id, c);
    // The host answers a campaign at once; winning it arrives later, as an `elected` message.
    void this.link().call({ op: 'campaign', campaign: id });
    return {
      get leading() {
        return c.leading;
      },
      resign: async () => {
        await this.link().call({ op: 'resign', campaign: id });
        this.campaigns.delete(id);
      },
    };
  }

  async close(): Promise<void> {
    this.liveListeners.clear();
    this.controllerListeners.clear();
    await this.link().call({ op: 'close' });
  }

  private link(): HostLink {
    if (this.host === undefined) throw new Error('the membership is not connected to its host');
    return this.host;
  }
}

function sameLiveSet(a: ReadonlyMap<number, BrokerRegistration>, b: ReadonlyMap<number, BrokerRegistration>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, r] of a) if (b.get(id)?.incarnation !== r.incarnation) return false;
  return true;
}
