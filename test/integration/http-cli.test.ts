// The creek command's HTTP listener: --http-port 0 picks a free port, the ready line gives its
// URL, and that URL serves /metrics; a busy port.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runBroker } from '../../src/broker.js';
import { resolveBrokerConfig } from '../../src/config/broker-config.js';
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

describe('a busy HTTP port', () => {
  it('only warns when the port is the creek command\'s default, and fails start-up when it was asked for', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const config = resolveBrokerConfig({ port: 0, memory: true, logLevel: 'silent' });
      const running = await runBroker({ ...config, http: { host: '127.0.0.1', port, required: false } });
      expect(running.http).toBeUndefined();
      await running.stop();
      await expect(runBroker({ ...config, http: { host: '127.0.0.1', port, required: true } })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      blocker.close();
    }
  });
});
