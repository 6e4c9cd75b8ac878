// The HTTP listener's settings: the creek command serves it on 127.0.0.1:8080 by default, the
// embedded broker only when asked; creek.http.port / --http-port / CREEK_HTTP_PORT, -1 turns it off.
import { describe, expect, it } from 'vitest';
import { loadBrokerConfig, resolveBrokerConfig } from '../../../src/config/broker-config.js';
import { ConfigError } from '../../../src/config/config-error.js';

describe('HTTP listener config', () => {
  it('the creek command serves HTTP on 127.0.0.1:8080 unless told otherwise', () => {
    expect(loadBrokerConfig({ argv: [], env: {} }).http).toEqual({ host: '127.0.0.1', port: 8080, required: false });
    expect(loadBrokerConfig({ argv: ['--http-port', '0'], env: {} }).http).toEqual({ host: '127.0.0.1', port: 0, required: true });
    expect(loadBrokerConfig({ argv: ['--http-port=-1'], env: {} }).http).toBeUndefined();
    expect(loadBrokerConfig({ argv: [], env: { CREEK_HTTP_PORT: '9000', CREEK_HTTP_HOST: '::1' } }).http).toEqual({ host: '::1', port: 9000, required: true });
    expect(loadBrokerConfig({ argv: ['--override', 'creek.http.port=-1'], env: {} }).http).toBeUndefined();
  });

  it('the embedded broker serves HTTP only when asked', () => {
    expect(resolveBrokerConfig({}).http).toBeUndefined();
    expect(resolveBrokerConfig({ httpPort: 0 }).http).toEqual({ host: '127.0.0.1', port: 0, required: true });
    expect(resolveBrokerConfig({ properties: { 'creek.http.port': 8181 } }).http?.port).toBe(8181);
  });

  it('refuses a port out of range, naming where it came from', () => {
    expect(() => loadBrokerConfig({ argv: ['--http-port', '70000'], env: {} })).toThrow(ConfigError);
    expect(() => loadBrokerConfig({ argv: ['--http-port', '70000'], env: {} })).toThrow(/creek\.http\.port.*--http-port/);
  });
});
