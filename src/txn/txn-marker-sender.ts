// How the transaction coordinator gets a transaction's COMMIT/ABORT markers written (Kafka's
// TransactionMarkerChannelManager): each partition's marker goes to the partition's leader — this
// broker writes its own, every other leader gets one WriteTxnMarkers request (key 27) for all of
// its partitions over an inter-broker connection. Partitions whose leader moved, is unknown or
// could not be reached are tried again with the leadership the cluster view knows by then, until
// every marker is written; a deleted partition needs none. It gives up when this broker stops
// coordinating the transaction (the new coordinator finishes it) or after `deadlineMs`, leaving
// the transaction prepared for the coordinator's periodic retry.
import type { Logger } from 'pino';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import type { ClusterView } from '../cluster/cluster-view.js';
import { KafkaError, errorCodeOf } from '../kafka-error.js';
import type { BrokerConnections } from '../replica/broker-connections.js';

/** WriteTxnMarkers v1: the first flexible version, which Kafka 2.8+ brokers all serve. */
const WRITE_TXN_MARKERS_VERSION = 1;

export interface TxnMarker {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
}

export interface TxnMarkerSenderOptions {
  localId: number;
  cluster: ClusterView;
  /** Connections to the other brokers. */
  connections: BrokerConnections;
  /** Writes a marker to a partition this broker leads; throws a KafkaError when it cannot. */
  writeLocal: (topic: string, partition: number, marker: TxnMarker) => Promise<void>;
  retryBackoffMs: number;
  /** How long one completion keeps trying before it leaves the rest to the next attempt. */
  deadlineMs: number;
  log: Logger;
}

interface Target {
  topic: string;
  partition: number;
}

export class TxnMarkerSender {
  private closed = false;

  constructor(private readonly o: TxnMarkerSenderOptions) {}

  /** Resolves once every partition has the marker; throws when it gave up (see the file comment). */
  async send(marker: TxnMarker, partitions: ReadonlyMap<string, ReadonlySet<number>>, stillCoordinator: () => boolean): Promise<void> {
    let remaining: Target[] = [...partitions].flatMap(([topic, ps]) => [...ps].map((partition) => ({ topic, partition })));
    const deadline = Date.now() + this.o.deadlineMs;
    for (;;) {
      remaining = await this.attempt(marker, remaining);
      if (remaining.length === 0) return;
      if (this.closed || !stillCoordinator()) throw new KafkaError(ErrorCode.NOT_COORDINATOR, 'This broker no longer coordinates the transaction; its new coordinator writes the markers');
      if (Date.now() >= deadline) {
        throw new KafkaError(ErrorCode.CONCURRENT_TRANSACTIONS, `The markers of producer ${marker.producerId} could not be written to ${remaining.map((t) => `${t.topic}-${t.partition}`).join(', ')} yet`);
      }
      await new Promise((resolve) => setTimeout(resolve, this.o.retryBackoffMs));
    }
  }

  /** Sends in progress stop at their next retry. */
  close(): void {
    this.closed = true;
  }

  /** One round: every target sent to its current leader; returns those to try again. */
  private async attempt(marker: TxnMarker, targets: Target[]): Promise<Target[]> {
    const byLeader = new Map<number, Target[]>();
    const retry: Target[] = [];
    for (const t of targets) {
      const state = this.o.cluster.partitionState(t.topic, t.partition);
      // A partition deleted since it joined the transaction needs no marker (Kafka drops it too).
      if (state === undefined) continue;
      if (state.leaderId < 0) {
        retry.push(t);
        continue;
      }
      const list = byLeader.get(state.leaderId) ?? [];
      list.push(t);
      byLeader.set(state.leaderId, list);
    }
    const rounds = [...byLeader].map(async ([leader, list]) => {
      const failed = leader === this.o.localId ? await this.writeHere(marker, list) : await this.writeThere(leader, marker, list);
      retry.push(...failed);
    });
    await Promise.all(rounds);
    return retry;
  }

  private async writeHere(marker: TxnMarker, targets: Target[]): Promise<Target[]> {
    const failed: Target[] = [];
    await Promise.all(
      targets.map(async (t) => {
        try {
          await this.o.writeLocal(t.topic, t.partition, marker);
        } catch (err) {
          this.checkRetriable(errorCodeOf(err), t);
          failed.push(t);
        }
      }),
    );
    return failed;
  }

  private async writeThere(leader: number, marker: TxnMarker, targets: Target[]): Promise<Target[]> {
    const topics = new Map<string, number[]>();
    for (const t of targets) topics.set(t.topic, [...(topics.get(t.topic) ?? []), t.partition]);
    let response;
    try {
      response = await this.o.connections.send(leader, 27, WRITE_TXN_MARKERS_VERSION, {
        markers: [
          {
            producerId: marker.producerId,
            producerEpoch: marker.producerEpoch,
            transactionResult: marker.commit,
            coordinatorEpoch: marker.coordinatorEpoch,
            transactionVersion: 0,
            topics: [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
          },
        ],
      });
    } catch (err) {
      this.o.log.debug({ err, leader }, 'WriteTxnMarkers failed; will retry');
      return targets;
    }
    const failed: Target[] = [];
    for (const topic of response.markers[0]?.topics ?? []) {
      for (const p of topic.partitions) {
        if (p.errorCode === ErrorCode.NONE) continue;
        const t = { topic: topic.name, partition: p.partitionIndex };
        this.checkRetriable(p.errorCode, t);
        failed.push(t);
      }
    }
    return failed;
  }

  /** Kafka retries these; any other error means something is wrong that retrying cannot fix. */
  private checkRetriable(code: number, t: Target): void {
    switch (code) {
      case ErrorCode.NOT_LEADER_OR_FOLLOWER:
      case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      case ErrorCode.LEADER_NOT_AVAILABLE:
      case ErrorCode.NOT_ENOUGH_REPLICAS:
      case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      case ErrorCode.REQUEST_TIMED_OUT:
      case ErrorCode.KAFKA_STORAGE_ERROR:
      case ErrorCode.NETWORK_EXCEPTION:
        return;
      default:
        throw new KafkaError(code, `Writing a transaction marker to ${t.topic}-${t.partition} failed: ${errorInfo(code).name}`);
    }
  }
}
