// The feature levels Creek supports and finalizes (KIP-584), as ApiVersions v3+ reports them;
// clients choose protocol behaviour by the finalized levels. They are fixed: Creek has no
// UpdateFeatures, so the finalized epoch never moves.
// transaction.version 2 is KIP-890 part 2: Produce v12+ and TxnOffsetCommit v5+ add their
// partitions to the transaction, and EndTxn v5 moves the producer to its next epoch.

export interface Feature {
  name: string;
  minVersion: number;
  maxVersion: number;
  /** The level in force. */
  finalized: number;
}

export const FEATURES: readonly Feature[] = [{ name: 'transaction.version', minVersion: 0, maxVersion: 2, finalized: 2 }];

/** ApiVersions' feature fields. */
export function featureFields(): {
  supportedFeatures: { name: string; minVersion: number; maxVersion: number }[];
  finalizedFeaturesEpoch: number;
  finalizedFeatures: { name: string; minVersionLevel: number; maxVersionLevel: number }[];
} {
  return {
    supportedFeatures: FEATURES.map(({ name, minVersion, maxVersion }) => ({ name, minVersion, maxVersion })),
    finalizedFeaturesEpoch: 0,
    finalizedFeatures: FEATURES.map(({ name, finalized }) => ({ name, minVersionLevel: finalized, maxVersionLevel: finalized })),
  };
}
