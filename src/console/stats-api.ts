// The counts behind the console's live charts: bytes in and out, records in, and requests per
// API since the broker started, with the time they were read; the page turns successive reads
// into rates.
import { jsonResponse, type Router } from '../http/router.js';
import type { BrokerMetrics } from '../metrics/broker-metrics.js';
import type { ConsoleContext } from './console-context.js';

/** GET /api/stats: the counts, read at `at` (epoch milliseconds). */
export type ConsoleStats = { at: number } & ReturnType<BrokerMetrics['totals']>;

export function addStatsRoutes(router: Router, ctx: ConsoleContext): void {
  router.add('GET', '/api/stats', () => {
    const stats: ConsoleStats = { at: Date.now(), ...ctx.broker.metrics.totals() };
    return jsonResponse(200, stats);
  });
}
