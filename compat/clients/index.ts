// Every client the suite checks, in the order they run and appear in the matrix.
import type { ClientSuite } from '../lib/scenario.js';
import { kcatSuite } from './kcat.js';

export const clients: readonly ClientSuite[] = [kcatSuite];
