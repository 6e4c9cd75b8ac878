// Cluster mode's settings: --etcd / creek.etcd.endpoints turn it on; the prefix, lease TTL and
// start-up timeout have defaults; endpoints that are not http://host:port are refused.
import { describe, expect, it } from 'vitest';
import { loadBrokerConfig, resolveBrokerConfig } from '../../../src/config/broker-config.js';
import { problemsOf } from '../../helpers/config-problems.js';

describe('etcd config', () => {
  it('is off unless endpoints are given', () => {
    expect(loadBrokerConfig({ argv: [], env: {} }).etcd).toBeUndefined();
    expect(resolveBrokerConfig({}).etcd).toBeUndefined();
  });

  it('reads endpoints from --etcd, the environment or a property, with defaults for the rest', () => {
    expect(loadBrokerConfig({ argv: ['--etcd', 'http://10.0.0.1:2379,http://10.0.0.2:2379'], env: {} }).etcd).toEqual({
      endpoints: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'],
      prefix: '/creek/default/',
      leaseTtlMs: 6000,
      startupTimeoutMs: 15000,
    });
    expect(loadBrokerConfig({ argv: [], env: { CREEK_ETCD_ENDPOINTS: 'http://etcd:2379' } }).etcd?.endpoints).toEqual(['http://etcd:2379']);
    const config = resolveBrokerConfig({
      etcd: 'http://127.0.0.1:2379',
      properties: { 'creek.etcd.prefix': '/creek/prod', 'creek.etcd.lease.ttl.ms': 3000, 'creek.etcd.startup.timeout.ms': 0 },
    });
    expect(config.etcd).toEqual({ endpoints: ['http://127.0.0.1:2379'], prefix: '/creek/prod/', leaseTtlMs: 3000, startupTimeoutMs: 0 });
  });

  it('refuses endpoints that are not http://host:port, a relative prefix and a lease under a second', () => {
    expect(problemsOf(() => loadBrokerConfig({ argv: ['--etcd', 'localhost:2379'], env: {} }))).toEqual([
      'Invalid value localhost:2379 for configuration creek.etcd.endpoints: localhost:2379: expected http://host:port (TLS to etcd is not supported yet) (from --etcd)',
    ]);
    expect(problemsOf(() => loadBrokerConfig({ argv: ['--etcd', 'not a url'], env: {} }))[0]).toContain('not a URL; expected http://host:port');
    expect(problemsOf(() => loadBrokerConfig({ argv: ['--etcd', 'https://etcd:2379'], env: {} }))[0]).toContain('TLS to etcd is not supported yet');
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'creek.etcd.prefix': 'creek' } }))[0]).toContain('creek.etcd.prefix');
    expect(problemsOf(() => resolveBrokerConfig({ properties: { 'creek.etcd.lease.ttl.ms': 500 } }))[0]).toContain('Value must be at least 1000');
  });
});
