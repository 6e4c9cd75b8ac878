// GET /metrics (Prometheus text format) and the health probes: /health/live answers while the
// process serves HTTP; /health/ready while the broker serves clients (not yet stopping).
import type { Router } from '../http/router.js';
import type { BrokerMetrics } from './broker-metrics.js';

export function addMetricsRoutes(router: Router, metrics: BrokerMetrics, ready: () => boolean): void {
  metrics.collectProcessMetrics();
  router.add('GET', '/metrics', async () => ({ status: 200, ...(await metrics.metrics()) }));
  router.add('GET', '/health/live', () => ({ status: 200, contentType: 'application/json', body: '{"status":"live"}' }));
  router.add('GET', '/health/ready', () =>
    ready()
      ? { status: 200, contentType: 'application/json', body: '{"status":"ready"}' }
      : { status: 503, contentType: 'application/json', body: '{"status":"stopping"}' },
  );
}
