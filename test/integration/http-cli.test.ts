// The creek command's HTTP listener: --http-port 0 picks a free port, the ready line gives its
// URL, and that URL serves /metrics.
import { describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { httpCall } from '../helpers/http.js';

describe('creek --http-port', () => {
  it('prints the HTTP URL on the ready line and serves /metrics there', async () => {
    const cli = await startCli(['--memory', '--port', '0', '--http-port', '0', '--log-level', 'warn']);
    try {
      const [, url] = await cli.waitFor(/schema registry at (http:\/\/127\.0\.0\.1:\d+)/);
      const res = await httpCall(url!, '/metrics');
      expect(res.status).toBe(200);
      expect(res.body).toContain('kafka_network_requestmetrics_requests_total');
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });
});
