// What consumer (KIP-848) and streams (KIP-1071) groups share about their members: the session
// timeout and the rebalance timeout of a pending revocation, and the member-epoch checks of offset
// commits and fetches.
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../kafka-error.js';
import type { Timers } from '../timers.js';

/** A member removed by a timer, and why. */
export type ExpireMember = (memberId: string, why: string) => void;

/** One group's member timers, keyed under `prefix` (the group's kind and id). */
export class MemberTimers {
  constructor(
    private readonly timers: Timers,
    private readonly prefix: string,
    private readonly expire: ExpireMember,
  ) {}

  /**
   * After a heartbeat: the session restarts; a member that must revoke gets `rebalanceTimeoutMs`
   * from the first heartbeat that asked it (not restarted by later ones), else none.
   */
  heartbeat(memberId: string, sessionTimeoutMs: number, revoking: boolean, rebalanceTimeoutMs: number, what: string): void {
    this.timers.schedule(this.key('session', memberId), sessionTimeoutMs, () => this.expire(memberId, 'session timed out'));
    if (!revoking) {
      this.timers.cancel(this.key('revocation', memberId));
    } else if (!this.timers.has(this.key('revocation', memberId))) {
      this.timers.schedule(this.key('revocation', memberId), rebalanceTimeoutMs, () => this.expire(memberId, `did not revoke its ${what} within the rebalance timeout`));
    }
  }

  /** A member that left for a while (static, epoch -2): only its session runs. */
  away(memberId: string, sessionTimeoutMs: number): void {
    this.heartbeat(memberId, sessionTimeoutMs, false, 0, '');
  }

  remove(memberId: string): void {
    this.timers.cancel(this.key('session', memberId));
    this.timers.cancel(this.key('revocation', memberId));
  }

  /** Another timer of the group (e.g. a delay), cancelled with the others by stopAll. */
  key(kind: string, memberId = ''): string {
    return `${this.prefix}\0${kind}\0${memberId}`;
  }

  stopAll(): void {
    this.timers.cancelPrefix(`${this.prefix}\0`);
  }
}

interface EpochMember {
  readonly memberEpoch: number;
}

interface MemberGroup {
  readonly groupId: string;
  readonly dead: boolean;
  readonly members: ReadonlyMap<string, EpochMember>;
}

/** OffsetCommit / TxnOffsetCommit checks of a consumer or streams group (`protocol` names it in the error). */
export function checkOffsetCommit(group: MemberGroup, protocol: string, memberId: string, memberEpoch: number, transactional: boolean, version: number): void {
  if (group.dead) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  if (memberEpoch < 0 && group.members.size === 0) return;
  const member = group.members.get(memberId);
  if (!member) throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${group.groupId}.`);
  if (!transactional && version < 9) throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `OffsetCommit version 9 or above must be used by members using the ${protocol} group protocol`);
  if (memberEpoch !== member.memberEpoch) throw new KafkaError(ErrorCode.STALE_MEMBER_EPOCH, `The member epoch ${memberEpoch} is stale; the current one is ${member.memberEpoch}.`);
}

/** OffsetFetch v9 checks: an admin fetch (epoch -1) is always accepted. */
export function checkOffsetFetch(group: MemberGroup, memberId: string | null, memberEpoch: number): void {
  if (memberEpoch < 0) return;
  const member = memberId === null ? undefined : group.members.get(memberId);
  if (!member) throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${group.groupId}.`);
  if (memberEpoch !== member.memberEpoch) throw new KafkaError(ErrorCode.STALE_MEMBER_EPOCH);
}
