// A classic consumer-group member over a raw connection, for the scale scenario: joins alone
// (so it leads and assigns every partition of its topic to itself), syncs, then heartbeats.
import { decodeResponse } from '../../../protocol/codec/messages.js';
import type { HeartbeatResponse, JoinGroupResponse, SyncGroupResponse } from '../../../protocol/schema/index.js';
import type { FrameConnection } from './frame-connection.js';
import { HEARTBEAT_VERSION, JOIN_GROUP_VERSION, SYNC_GROUP_VERSION, heartbeatFrame, joinGroupFrame, syncGroupFrame } from './workload.js';

export class GroupMember {
  private constructor(
    readonly conn: FrameConnection,
    readonly groupId: string,
    readonly memberId: string,
    readonly generationId: number,
  ) {}

  /** Joins `groupId` as its only member, subscribed to `topic` and assigned all its `partitions`. */
  static async join(conn: FrameConnection, groupId: string, topic: string, partitions: number, sessionTimeoutMs: number): Promise<GroupMember> {
    const joinFrame = await conn.request(joinGroupFrame(groupId, '', [topic], sessionTimeoutMs));
    const join = (decodeResponse(11, JOIN_GROUP_VERSION, joinFrame) as { body: JoinGroupResponse }).body;
    if (join.errorCode !== 0) throw new Error(`JoinGroup ${groupId} failed: error ${join.errorCode}`);
    if (join.leader !== join.memberId || join.members.length !== 1) throw new Error(`JoinGroup ${groupId}: expected to lead a group of one, got ${join.members.length} members`);
    const assignment = new Map([[join.memberId, { [topic]: Array.from({ length: partitions }, (_, p) => p) }]]);
    const syncFrame = await conn.request(syncGroupFrame(groupId, join.generationId, join.memberId, assignment));
    const sync = (decodeResponse(14, SYNC_GROUP_VERSION, syncFrame) as { body: SyncGroupResponse }).body;
    if (sync.errorCode !== 0) throw new Error(`SyncGroup ${groupId} failed: error ${sync.errorCode}`);
    return new GroupMember(conn, groupId, join.memberId, join.generationId);
  }

  /** Sends one heartbeat; resolves with its error code (0 while the group is stable). */
  async heartbeat(): Promise<number> {
    const frame = await this.conn.request(heartbeatFrame(this.groupId, this.generationId, this.memberId));
    return (decodeResponse(12, HEARTBEAT_VERSION, frame) as { body: HeartbeatResponse }).body.errorCode;
  }
}
