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
  /** The producer id before the last rotation, else -1: a retry from it (InitProducerId, EndTxn v5) is recognised. */
  previousProducerId: number;
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
  /**
   * The transaction version of the client that last ended a transaction (0 before any; 2 after an
   * EndTxn v5 or an abort on timeout). At 2 every ending bumped the epoch, so an EndTxn v5 from the
   * epoch before the current one is a retry of the ending that answered it.
   */
  clientTransactionVersion: number;
  /** An operation on this id is writing to the state log; others get CONCURRENT_TRANSACTIONS. */
  pending: boolean;
}

export function hasPartition(meta: TxnMetadata, topic: string, partition: number): boolean {
  return meta.partitions.get(topic)?.has(partition) ?? false;
}
