// The counts behind the console's live charts: bytes in and out, records in, and requests per
// API since the broker started, with the time they were read; the page turns successive reads
// into rates.
import { jsonResponse, type Router } from '../http/router.js';
import type { ConsoleContext } from './console-context.js';

export function addStatsRoutes(router: Router, ctx: ConsoleContext): void {
  router.add('GET', '/api/stats', () => jsonResponse(200, { at: Date.now(), ...ctx.broker.metrics.totals() }));
}
