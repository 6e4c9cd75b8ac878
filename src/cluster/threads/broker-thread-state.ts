// What a broker thread holds of the cluster's state: its metadata store and membership, both fed
// by the host's messages and calling the host through one link.
import type { MessagePort } from 'node:worker_threads';
import { HostLink } from './host-link.js';
import { ThreadMembership } from './thread-membership.js';
import { ThreadMetadataStore } from './thread-metadata-store.js';
import type { BrokerThreadData, ToBrokerThread, ToHost } from './thread-messages.js';

export class BrokerThreadState {
  readonly membership: ThreadMembership;
  readonly metadata: ThreadMetadataStore;
  private readonly host: HostLink;

  constructor(port: MessagePort, start: Pick<BrokerThreadData, 'documents' | 'membership'>) {
    this.membership = new ThreadMembership(start.membership);
    this.host = new HostLink(port, (state) => this.membership.apply(state));
    this.membership.connect(this.host);
    this.metadata = new ThreadMetadataStore(this.host, start.documents);
  }

  /** Applies a message of the host's about the state; `stop` is not one of them (the thread's to handle). */
  receive(message: Exclude<ToBrokerThread, { type: 'stop' }>): void {
    switch (message.type) {
      case 'change':
        return this.metadata.apply(message.change);
      case 'membership':
        return this.membership.apply(message.state);
      case 'reply':
        return this.host.reply(message.id, message.state, message.result, message.error);
      case 'elected':
        return this.membership.elected(message.campaign, message.controllerEpoch);
      case 'lost':
        return this.membership.lost(message.campaign);
    }
  }

  send(message: ToHost): void {
    this.host.send(message);
  }
}
