// The host's side of one broker thread's port: it forwards every change of the shared metadata
// store and membership to the thread, in the order they happen, and performs the thread's calls
// (writes, registration, controller campaigns) on them, answering each with one reply that also
// carries the membership as it then is.
import type { ControllerCampaign, Membership } from '../membership.js';
import { METADATA_KINDS, type ControllerFence, type MetadataStore } from '../../metadata/metadata-store.js';
import { toCallError } from './host-link.js';
import type { BrokerThreadData, HostCall, MembershipState, ToBrokerThread, ToHost } from './thread-messages.js';

/** A Worker or a MessagePort, as the host uses it. */
export interface ThreadPort {
  postMessage(message: ToBrokerThread): void;
  on(event: 'message', listener: (message: ToHost) => void): unknown;
}

export interface ThreadLifecycle {
  ready(): void;
  stopped(): void;
}

export class StateHost {
  private readonly campaigns = new Map<number, ControllerCampaign>();
  private readonly unsubscribe: (() => void)[] = [];
  private port: ThreadPort | undefined;
  /** Messages sent before `serve` named the port. */
  private readonly early: ToBrokerThread[] = [];

  constructor(
    private readonly store: MetadataStore,
    /** The thread's own handle on the registry (registration, campaigns, close). */
    private readonly membership: Membership,
  ) {}

  /**
   * Starts forwarding and returns what the thread starts from: the documents are read and
   * forwarding begins in the same turn, so no change falls between them. Until `serve` names the
   * port, forwarded changes are kept in order.
   */
  snapshot(): Pick<BrokerThreadData, 'documents' | 'membership'> {
    const documents = METADATA_KINDS.flatMap((kind) => [...this.store.list(kind)].map(([key, d]) => ({ kind, key, value: d.value, version: d.version })));
    for (const kind of METADATA_KINDS) this.unsubscribe.push(this.store.watch(kind, (change) => this.send({ type: 'change', change })));
    const forwardMembership = (): void => this.send({ type: 'membership', state: this.membershipState() });
    this.unsubscribe.push(this.membership.watchLive(forwardMembership), this.membership.watchController(forwardMembership));
    return { documents, membership: this.membershipState() };
  }

  serve(port: ThreadPort, lifecycle: ThreadLifecycle): void {
    this.port = port;
    for (const m of this.early.splice(0)) port.postMessage(m);
    port.on('message', (message) => {
      switch (message.type) {
        case 'ready':
          return lifecycle.ready();
        case 'stopped':
          return lifecycle.stopped();
        case 'call':
          this.perform(message.call).then(
            (result) => this.send({ type: 'reply', id: message.id, result, state: this.membershipState() }),
            (err: unknown) => this.send({ type: 'reply', id: message.id, error: toCallError(err), state: this.membershipState() }),
          );
      }
    });
  }

  send(message: ToBrokerThread): void {
    if (this.port === undefined) this.early.push(message);
    else this.port.postMessage(message);
  }

  /** Stops forwarding (the thread has ended). */
  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private membershipState(): MembershipState {
    return { live: [...this.membership.live()], controllerId: this.membership.controllerId() };
  }

  private async perform(call: HostCall): Promise<number | undefined> {
    const fence = (epoch: number | undefined): ControllerFence | undefined => (epoch === undefined ? undefined : { controllerEpoch: epoch });
    switch (call.op) {
      case 'put':
        return this.store.put(call.kind, call.key, call.value, call.expectedVersion, fence(call.controllerEpoch));
      case 'delete':
        return void (await this.store.delete(call.kind, call.key, call.expectedVersion, fence(call.controllerEpoch)));
      case 'register':
        return void (await this.membership.register(call.registration));
      case 'campaign':
        this.campaigns.set(
          call.campaign,
          this.membership.campaign(
            (controllerEpoch) => this.send({ type: 'elected', campaign: call.campaign, controllerEpoch }),
            () => this.send({ type: 'lost', campaign: call.campaign }),
          ),
        );
        return undefined;
      case 'resign':
        await this.campaigns.get(call.campaign)?.resign();
        this.campaigns.delete(call.campaign);
        return undefined;
      case 'close':
        return void (await this.membership.close());
    }
  }
}
