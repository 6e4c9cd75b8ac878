// The in-memory backend (`--memory` and tests): segments of retained buffers, nothing persisted.
import pino, { type Logger } from 'pino';
import { DEFAULT_LOG_CONFIG, type LogConfig } from './log-config.js';
import { MemoryStore } from './memory-store.js';
import { Segment } from './segment.js';
import { SegmentedLog } from './segmented-log.js';

export class MemoryLog extends SegmentedLog {
  constructor(config: LogConfig = { ...DEFAULT_LOG_CONFIG }, logger: Logger = pino({ level: 'silent' })) {
    const createSegment = (baseOffset: number, now: number): Segment => new Segment(baseOffset, new MemoryStore(), now);
    super({
      segments: [createSegment(0, Date.now())],
      logStartOffset: 0,
      recoveryPoint: 0,
      epochs: [],
      config,
      logger,
      backend: {
        createSegment,
        saveLogStartOffset: () => Promise.resolve(),
        saveRecoveryPoint: () => Promise.resolve(),
        syncSegmentList: () => Promise.resolve(),
        saveEpochs: () => Promise.resolve(),
        createCleanedSegment: createSegment,
        swapSegments: (_old, cleaned) => cleaned.seal(),
        saveCleanerCheckpoint: () => Promise.resolve(),
      },
    });
  }
}
