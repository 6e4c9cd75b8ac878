// One transactional id's state at the coordinator, with Kafka's state names and numbering.

/** Kafka's TransactionState ids, as stored in __transaction_state. */
export const TxnState = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const;
export type TxnStateId = (typeof TxnState)[keyof typeof TxnState];

const NAMES = Object.keys(TxnState) as (keyof typeof TxnState)[];

export function txnStateName(state: TxnStateId): string {
  return NAMES[state]!;
}

/** The state id of a name as DescribeTransactions/ListTransactions spell it, or undefined. */
export function txnStateByName(name: string): TxnStateId | undefined {
  return (TxnState as Record<string, TxnStateId>)[name];
}

/** Kafka never uses the last two epochs of a producer id: it rotates to a new id instead. */
export const isEpochExhausted = (epoch: number): boolean => epoch >= 0x7fff - 1;

export interface TxnMetadata {
  readonly transactionalId: string;
  producerId: number;
  /** The producer id before the last rotation (KIP-360 retries), else -1. */
  lastProducerId: number;
  producerEpoch: number;
  /** The epoch before the last client-requested bump (KIP-360 retries), else -1. */
  lastProducerEpoch: number;
  timeoutMs: number;
  state: TxnStateId;
  /** topic → partitions in the transaction (including __consumer_offsets partitions of its groups). */
  partitions: Map<string, Set<number>>;
  /** When the transaction began, -1 outside one. */
  startTimestamp: number;
  lastUpdateTimestamp: number;
  /** The producer id and epoch an EndTxn v5 (epoch bump) last ended a transaction with: its retry gets the same answer. */
  endedBy: { producerId: number; producerEpoch: number } | null;
  /** An operation on this id is writing to the state log; others get CONCURRENT_TRANSACTIONS. */
  pending: boolean;
}

export function hasPartition(meta: TxnMetadata, topic: string, partition: number): boolean {
  return meta.partitions.get(topic)?.has(partition) ?? false;
}
