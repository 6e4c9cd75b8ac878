import { MemoryLog } from '../../../src/log/memory-log.js';
import { partitionLogSuite } from './partition-log-suite.js';

partitionLogSuite('memory', (config) => Promise.resolve(new MemoryLog(config)));
