// Broker membership and controller election in etcd. A live broker is the key `brokers/<nodeId>`
// (its registration as JSON) held under an etcd lease that the broker keeps alive; the key is
// created only if absent, so a node id that is live elsewhere is refused. The controller is the
// key `controller` ({nodeId, incarnation}), also created only if absent and held under the same
// lease: it goes away when its broker resigns, closes, or stops keeping its lease alive, and the
// other campaigners race to create it again.
//
// When etcd cannot be reached the broker carries on as it is: it is told nothing, changes nothing,
// and logs once. If keep-alives fail for a whole lease TTL its lease may have lapsed in etcd, so it
// stops being controller (`lost`) and, once etcd answers, registers again under a new lease (its
// own old key, recognised by its incarnation, is taken over) and campaigns again.
import { EtcdLeaseInvalidError, type Lease, type Namespace } from 'etcd3';
import type { Logger } from 'pino';
import { NodeIdInUse, type BrokerRegistration, type ControllerCampaign, type Membership } from '../membership.js';
import { CALL_TIMEOUT_MS } from './etcd-client.js';
import { BROKERS_PREFIX as BROKERS, CONTROLLER_KEY as CONTROLLER } from './keys.js';
import { PrefixView } from './prefix-view.js';

/** Between attempts to register again (or to take the controller key) while etcd does not answer. */
const RETRY_MS = 1000;

interface ControllerRecord {
  nodeId: number;
  incarnation: string;
}

interface Campaign {
  elected: (controllerEpoch: number) => void;
  lost: () => void;
  active: boolean;
  leading: boolean;
  /** The create revision of the controller key this campaign holds. */
  heldAt: number;
}

interface RangeKv {
  value: Buffer;
  mod_revision: string;
}

export interface EtcdMembershipOptions {
  /** The broker's lease TTL (etcd counts whole seconds: rounded up). */
  leaseTtlMs: number;
}

export class EtcdMembership implements Membership {
  private readonly brokers = new Map<number, BrokerRegistration>();
  private controller: ControllerRecord | null = null;
  private controllerRevision = 0;
  private readonly liveListeners = new Set<(live: ReadonlyMap<number, BrokerRegistration>) => void>();
  private readonly controllerListeners = new Set<(controllerId: number) => void>();
  private brokersView!: PrefixView;
  private controllerView!: PrefixView;
  private readonly ttlSeconds: number;

  private registration: BrokerRegistration | undefined;
  /** The lease this broker holds its keys under; undefined while it has none (lapsed, closed). */
  private lease: Lease | undefined;
  private leaseId = '';
  private lastKeepAlive = 0;
  private unreachable = false;
  private lapseTimer: NodeJS.Timeout | undefined;
  private campaignState: Campaign | undefined;
  private acquiring = false;
  private closed = false;

  private constructor(
    private readonly etcd: Namespace,
    options: EtcdMembershipOptions,
    private readonly log: Logger,
  ) {
    this.ttlSeconds = Math.max(1, Math.ceil(options.leaseTtlMs / 1000));
  }

  /** Reads the live brokers and the controller under the cluster namespace `etcd`, and watches them. */
  static async open(etcd: Namespace, options: EtcdMembershipOptions, log: Logger): Promise<EtcdMembership> {
    const membership = new EtcdMembership(etcd, options, log);
    membership.brokersView = await PrefixView.open(etcd, BROKERS, (key, value) => membership.brokerChanged(key, value), log);
    membership.controllerView = await PrefixView.open(etcd, CONTROLLER, (key, value, revision) => key === '' && membership.controllerChanged(value, revision), log);
    return membership;
  }

  async register(registration: BrokerRegistration): Promise<void> {
    if (this.registration !== undefined) throw new Error(`node ${this.registration.nodeId} is registered already`);
    await this.registerUnderNewLease(registration, false);
    this.registration = registration;
  }

  live(): ReadonlyMap<number, BrokerRegistration> {
    return this.brokers;
  }

  watchLive(listener: (live: ReadonlyMap<number, BrokerRegistration>) => void): () => void {
    this.liveListeners.add(listener);
    return () => this.liveListeners.delete(listener);
  }

  controllerId(): number {
    return this.controller?.nodeId ?? -1;
  }

  /**
   * The current controller's epoch, -1 while there is none: the etcd revision that created its
   * key, so each controller's is greater than every earlier one's (the fence of its writes).
   */
  controllerEpoch(): number {
    return this.controller === null ? -1 : this.controllerRevision;
  }

  watchController(listener: (controllerId: number) => void): () => void {
    this.controllerListeners.add(listener);
    return () => this.controllerListeners.delete(listener);
  }

  campaign(elected: (controllerEpoch: number) => void, lost: () => void): ControllerCampaign {
    if (this.registration === undefined) throw new Error('register before campaigning');
    if (this.campaignState?.active) throw new Error('a campaign is already running');
    const campaign: Campaign = { elected, lost, active: true, leading: false, heldAt: 0 };
    this.campaignState = campaign;
    void this.tryToLead();
    return {
      get leading() {
        return campaign.leading;
      },
      resign: () => this.resign(campaign),
    };
  }

  /** Resigns, and revokes the lease (removing this broker's keys); each step waits at most CALL_TIMEOUT_MS for etcd. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.campaignState?.active) {
      await bounded(this.resign(this.campaignState)).catch((err: unknown) => this.log.warn({ err }, 'could not resign as controller; the role lapses with the lease'));
    }
    this.closed = true;
    clearTimeout(this.lapseTimer);
    const lease = this.lease;
    this.lease = undefined;
    // Revoking the lease removes this broker's key (and the controller key, if it still held it).
    if (lease !== undefined) {
      await bounded(lease.revoke()).catch((err: unknown) => this.log.warn({ err }, 'could not revoke the broker lease in etcd; it lapses by itself'));
      lease.release();
    }
    await Promise.all([this.brokersView.close(), this.controllerView.close()]);
  }

  /**
   * Creates `brokers/<nodeId>` under a new lease. With `reclaim`, a key left by this same run of
   * the broker (same incarnation, under a lease it gave up on) is taken over.
   */
  private async registerUnderNewLease(registration: BrokerRegistration, reclaim: boolean): Promise<void> {
    const key = `${BROKERS}${registration.nodeId}`;
    const json = JSON.stringify(registration);
    const lease = this.etcd.lease(this.ttlSeconds);
    lease.on('lost', () => undefined); // until adopted below: a failed grant is reported by grant()
    try {
      const id = await lease.grant();
      let res = await this.etcd.if(key, 'Create', '==', 0).then(this.etcd.put(key).value(json).lease(id)).else(this.etcd.get(key)).commit();
      if (!res.succeeded && reclaim) {
        const existing = res.responses[0]?.response_range?.kvs?.[0] as RangeKv | undefined;
        const theirs = existing === undefined ? undefined : (JSON.parse(existing.value.toString()) as BrokerRegistration);
        if (existing === undefined || theirs?.incarnation === registration.incarnation) {
          const compare = existing === undefined ? 0 : existing.mod_revision;
          res = await this.etcd.if(key, 'Mod', '==', compare).then(this.etcd.put(key).value(json).lease(id)).commit();
        }
      }
      if (!res.succeeded) throw new NodeIdInUse(registration.nodeId);
      if (this.closed) throw new Error('membership closed while registering');
      this.adopt(lease, id);
      await this.brokersView.reaches(Number(res.header.revision));
    } catch (err) {
      if (this.lease !== lease) await bounded(lease.revoke()).catch(() => undefined);
      throw err;
    }
  }

  /** Keeps `lease` alive from now on, watching its keep-alives. */
  private adopt(lease: Lease, id: string): void {
    this.lease = lease;
    this.leaseId = id;
    this.lastKeepAlive = Date.now();
    this.unreachable = false;
    lease.removeAllListeners('lost');
    lease.on('keepaliveSucceeded', () => {
      if (this.lease !== lease) return;
      this.lastKeepAlive = Date.now();
      clearTimeout(this.lapseTimer);
      this.lapseTimer = undefined;
      if (this.unreachable) {
        this.unreachable = false;
        this.log.info('etcd answers again: broker lease kept, nothing changed');
      }
    });
    // etcd3 declares the argument as a keep-alive response; it passes the error.
    lease.on('keepaliveFailed', (failure: unknown) => {
      // etcd answered that the lease is gone: 'lost' follows.
      if (this.lease !== lease || this.unreachable || failure instanceof EtcdLeaseInvalidError) return;
      const left = this.lastKeepAlive + this.ttlSeconds * 1000 - Date.now();
      // Past the TTL already: this process stood still (SIGSTOP, a long pause), not etcd.
      if (left <= 0) return this.lapse(lease, `no keep-alive for ${Date.now() - this.lastKeepAlive} ms, longer than the lease TTL (${this.ttlSeconds} s): this process was paused`);
      this.unreachable = true;
      this.log.warn(
        { err: (failure as Error).message, leaseLapsesInMs: left },
        'etcd unreachable: the broker keeps serving as it is and makes no leadership changes until etcd answers again',
      );
      this.lapseTimer = setTimeout(() => this.lapse(lease, `no keep-alive reached etcd for the lease TTL (${this.ttlSeconds} s)`), left);
    });
    lease.on('lost', (err: Error) => this.lapse(lease, err.message));
  }

  /** The lease is (or may be) gone in etcd: stop being controller, and register again when possible. */
  private lapse(lease: Lease, reason: string): void {
    if (this.lease !== lease || this.closed) return;
    this.lease = undefined;
    clearTimeout(this.lapseTimer);
    this.lapseTimer = undefined;
    lease.release();
    const oldLeaseId = this.leaseId;
    this.log.warn({ reason }, 'broker lease lapsed: this broker is not live in etcd and not controller until it registers again');
    const campaign = this.campaignState;
    if (campaign?.leading) {
      campaign.leading = false;
      campaign.lost();
    }
    void this.registerAgain(oldLeaseId);
  }

  private async registerAgain(oldLeaseId: string): Promise<void> {
    let refusedLogged = false;
    while (!this.closed && this.lease === undefined && this.registration !== undefined) {
      try {
        await this.registerUnderNewLease(this.registration, true);
        // Whatever the old lease still holds in etcd (the controller key) goes with it.
        await this.etcd.leaseClient.leaseRevoke({ ID: oldLeaseId }).catch(() => undefined);
        this.log.info({ nodeId: this.registration.nodeId }, 'broker registered again in etcd');
        void this.tryToLead();
        return;
      } catch (err) {
        if (err instanceof NodeIdInUse && !refusedLogged) {
          refusedLogged = true;
          this.log.error({ nodeId: this.registration.nodeId }, 'another broker registered this node id while this one was away; retrying until it leaves');
        }
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  /** Creates the controller key if there is none, while campaigning. */
  private async tryToLead(): Promise<void> {
    const campaign = this.campaignState;
    if (campaign === undefined || !campaign.active || campaign.leading || this.acquiring || this.closed) return;
    if (this.lease === undefined || this.controller !== null) return; // the view or the next registration calls again
    this.acquiring = true;
    const record: ControllerRecord = { nodeId: this.registration!.nodeId, incarnation: this.registration!.incarnation };
    let retry = false;
    try {
      const res = await this.etcd
        .if(CONTROLLER, 'Create', '==', 0)
        .then(this.etcd.put(CONTROLLER).value(JSON.stringify(record)).lease(this.leaseId))
        .else(this.etcd.get(CONTROLLER))
        .commit();
      if (res.succeeded) {
        const heldAt = Number(res.header.revision);
        await this.controllerView.reaches(heldAt);
        if (campaign.active && this.isMine(this.controller)) {
          campaign.leading = true;
          campaign.heldAt = heldAt;
          campaign.elected(heldAt);
        } else if (!campaign.active) {
          await this.deleteController(heldAt);
        }
      } else {
        // Another broker holds it: wait until the view shows that key, then its deletion calls again.
        const held = res.responses[0]?.response_range?.kvs?.[0] as RangeKv | undefined;
        if (held !== undefined) await this.controllerView.reaches(Number(held.mod_revision));
        retry = this.controller === null;
      }
    } catch (err) {
      this.log.debug({ err }, 'could not take the controller key; trying again');
      await new Promise((r) => setTimeout(r, RETRY_MS));
      retry = true;
    } finally {
      this.acquiring = false;
    }
    if (retry) void this.tryToLead();
  }

  private async resign(campaign: Campaign): Promise<void> {
    if (!campaign.active) return;
    campaign.active = false;
    if (this.campaignState === campaign) this.campaignState = undefined;
    if (!campaign.leading) return;
    campaign.leading = false;
    try {
      await this.deleteController(campaign.heldAt);
    } finally {
      campaign.lost();
    }
  }

  private async deleteController(heldAt: number): Promise<void> {
    await this.etcd.if(CONTROLLER, 'Create', '==', heldAt).then(this.etcd.delete().key(CONTROLLER)).commit();
  }

  private isMine(record: ControllerRecord | null): boolean {
    return record !== null && record.nodeId === this.registration?.nodeId && record.incarnation === this.registration.incarnation;
  }

  private brokerChanged(key: string, value: Buffer | null): void {
    const nodeId = Number(key);
    if (!Number.isInteger(nodeId)) return;
    if (value === null) {
      this.brokers.delete(nodeId);
    } else {
      const registration = this.parse<BrokerRegistration>(key, value);
      if (registration === undefined) return;
      this.brokers.set(nodeId, registration);
    }
    const live = new Map(this.brokers);
    for (const listener of this.liveListeners) listener(live);
  }

  private controllerChanged(value: Buffer | null, revision: number): void {
    this.controllerRevision = revision; // the key is only ever created, so its mod revision is its create revision
    const before = this.controllerId();
    // An unreadable key still holds the role (no one can create it), so it counts as no one's.
    this.controller = value === null ? null : (this.parse<ControllerRecord>(CONTROLLER, value) ?? { nodeId: -1, incarnation: '' });
    const campaign = this.campaignState;
    if (campaign?.leading && !this.isMine(this.controller)) {
      campaign.leading = false;
      campaign.lost();
    }
    if (this.controllerId() !== before) for (const listener of this.controllerListeners) listener(this.controllerId());
    if (this.controller === null) void this.tryToLead();
  }

  private parse<T>(key: string, value: Buffer): T | undefined {
    try {
      return JSON.parse(value.toString()) as T;
    } catch (err) {
      this.log.error({ err, key }, 'ignoring an unreadable membership key in etcd');
      return undefined;
    }
  }
}

/** `work`, or a timeout error after CALL_TIMEOUT_MS (etcd3 retries a failing call a few times). */
function bounded<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`etcd did not answer within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
