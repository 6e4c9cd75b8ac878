// Followers copying their leaders' logs over Kafka's protocol (Kafka's ReplicaFetcherThread):
// one fetcher per leader broker, on its own connection. A partition that becomes a follower
// first asks the leader for the end of its latest leader epoch (OffsetForLeaderEpoch, key 23)
// and truncates what diverges (a log without epochs truncates to its high watermark). Then it
// fetches from its log end with Fetch requests carrying this broker's replica id and the epoch of
// its last batch, appends what comes back with the leader's offsets and epochs, and takes the
// leader's high watermark; should the leader answer that the logs have come to diverge (KIP-320,
// as Kafka's fetcher truncates on fetch), it truncates there, asking OffsetForLeaderEpoch again
// when that leaves the divergence unresolved. The first step stays even though the fetch alone
// would find a divergence: a leader running an older Creek ignores the epoch a fetch carries.
// The leader learns each follower's position from those fetches.
// A fetch asks for replica.fetch.max.bytes of each partition and replica.fetch.response.max.bytes
// in all, and waits at the leader up to replica.fetch.wait.max.ms for replica.fetch.min.bytes.
// As in Kafka's AbstractFetcherThread, a partition whose fetch or truncation failed is left out
// of requests for replica.fetch.backoff.ms while the others go on; the fetcher waits that long
// when nothing is left to fetch, and after a failed connection before it connects again.
// Replication throttling (KIP-73), follower side: while this broker's
// follower.replication.throttled.rate is exceeded, the partitions throttled here that are not
// caught up are left out of the fetches; what throttled partitions bring counts towards the rate.
// As Kafka's BrokerBlockingSender: a request unanswered within request.timeout.ms, or a connection
// not ready within replica.socket.timeout.ms, closes the connection; the fetcher backs off and
// connects again. The connection's SO_RCVBUF is replica.socket.receive.buffer.bytes.
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import type { BrokerNode } from '../cluster/cluster-view.js';
import type { EpochEndOffset } from '../log/leader-epochs.js';
import type { InterBrokerSecurity } from '../security/inter-broker-config.js';
import { BrokerConnection, type InterBrokerTimeouts, type SocketOptions } from './broker-connection.js';
import { AuthFailureWarnings } from './inter-broker-auth.js';
import type { Partition } from './partition.js';

const FETCH_VERSION = 12;
const OFFSET_FOR_LEADER_EPOCH_VERSION = 4;
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** Where fetched batches go: the log and the state derived from it (producer state, src/txn/). */
export interface FollowerAppender {
  appendReplicated(partition: Partition, records: Buffer): Promise<unknown>;
  /** The partition's log was truncated: state derived from it is rebuilt. */
  reloadProducerState(partition: Partition): Promise<void>;
}

/** The follower side of replication throttling (see ReplicationQuota). */
export interface FollowerThrottle {
  /** The partition's topic throttles it on this broker (follower.replication.throttled.replicas). */
  isThrottled(partition: Partition): boolean;
  isExceeded(): boolean;
  record(bytes: number): void;
}

export interface ReplicaFetcherOptions {
  localId: number;
  throttle: FollowerThrottle;
  appender: () => FollowerAppender;
  /** The leader's address on the inter-broker listener, looked up at each (re)connect. */
  leaderAddress: () => BrokerNode | undefined;
  /** TLS and SASL on the inter-broker listener. */
  security: InterBrokerSecurity;
  settings: ReplicaFetchSettings;
  log: Logger;
}

export interface ReplicaFetchSettings {
  /** replica.fetch.wait.max.ms. */
  waitMaxMs: number;
  /** replica.fetch.min.bytes. */
  minBytes: number;
  /** replica.fetch.max.bytes: each partition's limit. */
  partitionMaxBytes: number;
  /** replica.fetch.response.max.bytes: the whole response's limit. */
  responseMaxBytes: number;
  /** replica.fetch.backoff.ms. */
  backoffMs: number;
  /** request.timeout.ms for each request; replica.socket.timeout.ms for the connection to become ready. */
  timeouts: InterBrokerTimeouts;
  /** replica.socket.receive.buffer.bytes, set on each connection to the leader. */
  socketOptions: SocketOptions;
}

interface Fetched {
  partition: Partition;
  /** Asks the leader where its epoch ends before fetching. */
  truncating: boolean;
  /**
   * Reached the leader's high watermark with the last records fetched (Kafka's fetch state with a
   * lag of 0); not before records arrive. Such a partition is never throttled.
   */
  caughtUp: boolean;
  /** Left out of requests until then (Date.now()), after an error of its own: Kafka's delayed fetch state. */
  delayedUntil: number;
}

export class ReplicaFetcher {
  private readonly partitions = new Map<Partition, Fetched>();
  private connection: BrokerConnection | undefined;
  private running = true;
  private wake: (() => void) | undefined;
  private readonly loop: Promise<void>;
  private readonly authWarnings: AuthFailureWarnings;

  constructor(private readonly o: ReplicaFetcherOptions) {
    this.authWarnings = new AuthFailureWarnings(o.log, o.security.listenerName);
    this.loop = this.run();
  }

  get size(): number {
    return this.partitions.size;
  }

  /** Starts (or restarts, after a leadership change) fetching a partition: truncation first. */
  add(partition: Partition): void {
    this.partitions.set(partition, { partition, truncating: true, caughtUp: false, delayedUntil: 0 });
    this.wake?.();
  }

  remove(partition: Partition): void {
    this.partitions.delete(partition);
  }

  async close(): Promise<void> {
    this.running = false;
    this.connection?.close();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.partitions.size === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      try {
        const connection = await this.connect();
        const now = Date.now();
        const ready = [...this.partitions.values()].filter((f) => f.delayedUntil <= now);
        const truncating = ready.filter((f) => f.truncating);
        if (truncating.length > 0) await this.truncate(connection, truncating);
        else await this.fetchUnthrottled(connection, ready);
      } catch (err) {
        if (!this.running) break;
        this.logFailure(err);
        this.connection?.close();
        this.connection = undefined;
        await this.sleep(this.o.settings.backoffMs);
      }
    }
  }

  private async connect(): Promise<BrokerConnection> {
    if (this.connection?.isOpen) return this.connection;
    const leader = this.o.leaderAddress();
    if (leader === undefined) throw new Error('leader is not live');
    const { timeouts, socketOptions } = this.o.settings;
    this.connection = await BrokerConnection.open(leader.host, leader.port, `replica-fetcher-${this.o.localId}`, this.o.security, timeouts, socketOptions);
    return this.connection;
  }

  /** A refused login or certificate will not heal by itself: it is a warning (rate-limited); anything else is retried quietly. */
  private logFailure(err: unknown): void {
    // The log names the leader's id already.
    if (this.authWarnings.report(err, { peer: 'the leader', consequence: 'replication from it stops', fields: {} })) return;
    this.o.log.debug({ err }, 'replica fetch failed; retrying');
  }

  /** OffsetForLeaderEpoch for each partition's latest epoch, then truncation (Kafka's rules in Partition.truncateByLeaderEpoch). */
  private async truncate(connection: BrokerConnection, targets: Fetched[]): Promise<void> {
    const asked: Fetched[] = [];
    for (const f of targets) {
      // A log without epochs has nothing that can diverge beyond its high watermark.
      if (f.partition.log.latestEpoch < 0) {
        await this.truncateTo(f.partition, Math.min(f.partition.highWatermark, f.partition.logEndOffset));
        f.truncating = false;
      } else {
        asked.push(f);
      }
    }
    if (asked.length === 0) return;
    const response = await connection.send(23, OFFSET_FOR_LEADER_EPOCH_VERSION, {
      replicaId: this.o.localId,
      topics: byTopic(asked).map(([topic, list]) => ({
        topic,
        partitions: list.map((f) => ({ partition: f.partition.index, currentLeaderEpoch: f.partition.leaderEpoch, leaderEpoch: f.partition.log.latestEpoch })),
      })),
    });
    for (const t of response.topics) {
      for (const r of t.partitions) {
        const f = asked.find((x) => x.partition.topic === t.topic && x.partition.index === r.partition);
        if (f === undefined || this.partitions.get(f.partition) !== f) continue;
        if (r.errorCode !== ErrorCode.NONE) {
          this.onPartitionError(f, r.errorCode);
          continue;
        }
        await this.truncateAt(f, { epoch: r.leaderEpoch ?? -1, endOffset: r.endOffset });
      }
    }
  }

  /** Truncates by where the leader's epoch ends (Partition.truncateByLeaderEpoch); an unresolved divergence asks the leader again. */
  private async truncateAt(f: Fetched, leader: EpochEndOffset): Promise<void> {
    const before = f.partition.logEndOffset;
    const { complete, offset } = await f.partition.truncateByLeaderEpoch(leader);
    if (offset < before) await this.o.appender().reloadProducerState(f.partition);
    f.truncating = !complete;
    this.o.log.debug({ topic: f.partition.topic, partition: f.partition.index, offset, complete }, 'truncated by leader epoch');
  }

  /** Fetches the partitions ready for it that throttling leaves in; with none, waits replica.fetch.backoff.ms (as Kafka's fetcher). */
  private async fetchUnthrottled(connection: BrokerConnection, ready: Fetched[]): Promise<void> {
    const { throttle } = this.o;
    const targets = ready.filter((f) => f.caughtUp || !throttle.isThrottled(f.partition) || !throttle.isExceeded());
    if (targets.length > 0) await this.fetch(connection, targets);
    else await this.sleep(this.o.settings.backoffMs);
  }

  private async fetch(connection: BrokerConnection, targets: Fetched[]): Promise<void> {
    const { settings } = this.o;
    const response = await connection.send(1, FETCH_VERSION, {
      clusterId: null,
      replicaId: this.o.localId,
      replicaState: { replicaId: this.o.localId, replicaEpoch: -1 },
      maxWaitMs: settings.waitMaxMs,
      minBytes: settings.minBytes,
      maxBytes: settings.responseMaxBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: byTopic(targets).map(([topic, list]) => ({
        topic,
        topicId: ZERO_UUID,
        partitions: list.map((f) => ({
          partition: f.partition.index,
          currentLeaderEpoch: f.partition.leaderEpoch,
          fetchOffset: f.partition.logEndOffset,
          lastFetchedEpoch: f.partition.log.latestEpoch,
          logStartOffset: f.partition.logStartOffset,
          partitionMaxBytes: settings.partitionMaxBytes,
          replicaDirectoryId: ZERO_UUID,
          highWatermark: f.partition.highWatermark,
        })),
      })),
      forgottenTopicsData: [],
      rackId: '',
    });
    if (response.errorCode !== ErrorCode.NONE) throw new Error(`fetch failed with error ${response.errorCode}`);
    for (const t of response.responses) {
      for (const r of t.partitions) {
        const f = targets.find((x) => x.partition.topic === t.topic && x.partition.index === r.partitionIndex);
        // Leadership may have moved while the fetch was out: such answers are dropped.
        if (f === undefined || this.partitions.get(f.partition) !== f || f.truncating) continue;
        if (r.errorCode !== ErrorCode.NONE) {
          this.onPartitionError(f, r.errorCode);
          continue;
        }
        // An epoch of -1 is the field's default: the logs do not diverge.
        const divergingEpoch = r.divergingEpoch?.epoch ?? -1;
        if (divergingEpoch >= 0) {
          await this.truncateAt(f, { epoch: divergingEpoch, endOffset: r.divergingEpoch?.endOffset ?? -1 });
          continue;
        }
        const records = r.records === null ? Buffer.alloc(0) : Array.isArray(r.records) ? Buffer.concat(r.records) : Buffer.from(r.records);
        if (records.length > 0) {
          await this.o.appender().appendReplicated(f.partition, records);
          if (this.o.throttle.isThrottled(f.partition)) this.o.throttle.record(records.length);
          f.caughtUp = f.partition.logEndOffset >= Number(r.highWatermark);
        }
        f.partition.updateFollowerHighWatermark(Number(r.highWatermark));
      }
    }
  }

  /** Truncates at `offset` (at or past the log end, only epochs started there go; see SegmentedLog.truncateTo). */
  private async truncateTo(partition: Partition, offset: number): Promise<void> {
    const end = partition.logEndOffset;
    await partition.truncateTo(offset);
    if (partition.logEndOffset < end) await this.o.appender().reloadProducerState(partition);
  }

  private onPartitionError(f: Fetched, errorCode: number): void {
    if (errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      f.truncating = true;
      return;
    }
    // This follower's epoch is stale: the newer state, when it arrives here, re-adds the
    // partition. Anything else (a leader that has not yet opened the topic or taken its new
    // state) is retried after replica.fetch.backoff.ms.
    if (errorCode === ErrorCode.FENCED_LEADER_EPOCH) this.partitions.delete(f.partition);
    else f.delayedUntil = Date.now() + this.o.settings.backoffMs;
    this.o.log.debug({ topic: f.partition.topic, partition: f.partition.index, errorCode }, 'replica fetch error');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function byTopic(list: Fetched[]): [string, Fetched[]][] {
  const out = new Map<string, Fetched[]>();
  for (const f of list) {
    const group = out.get(f.partition.topic) ?? [];
    group.push(f);
    out.set(f.partition.topic, group);
  }
  return [...out];
}
