// The HTTP request guard alone: which Host headers reach the listener (DNS rebinding) and which
// writes pass the same-origin rules.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { RequestGuard } from '../../../src/http/request-guard.js';

function req(method: string, headers: Record<string, string>): IncomingMessage {
  return { method, headers } as unknown as IncomingMessage;
}

const status = (guard: RequestGuard, method: string, headers: Record<string, string>) => guard.check(req(method, headers))?.status ?? 200;

describe('RequestGuard', () => {
  it('takes only the listener address or localhost, with the listener port', () => {
    const g = new RequestGuard('127.0.0.1', 8080);
    expect(status(g, 'GET', { host: '127.0.0.1:8080' })).toBe(200);
    expect(status(g, 'GET', { host: 'LOCALHOST:8080' })).toBe(200);
    expect(status(g, 'GET', { host: '[::1]:8080' })).toBe(200);
    expect(status(g, 'GET', { host: 'localhost' })).toBe(421); // port 80 implied
    expect(status(g, 'GET', { host: 'attacker.example:8080' })).toBe(421);
    expect(status(g, 'GET', { host: '10.0.0.1:8080' })).toBe(421);
    expect(status(g, 'GET', {})).toBe(421);
  });

  it('on a wildcard bind takes any IP literal (which cannot be rebound) but no other name', () => {
    const g = new RequestGuard('0.0.0.0', 9000);
    expect(status(g, 'GET', { host: '192.0.2.7:9000' })).toBe(200);
    expect(status(g, 'GET', { host: '[2001:db8::1]:9000' })).toBe(200);
    expect(status(g, 'GET', { host: 'rebound.example:9000' })).toBe(421);
    const named = new RequestGuard('broker.internal', 9000);
    expect(status(named, 'GET', { host: 'broker.internal:9000' })).toBe(200);
    const v6 = new RequestGuard('::1', 9000);
    expect(status(v6, 'GET', { host: '[::1]:9000' })).toBe(200);
  });

  it('lets writes through only when they are not cross-site and not form-encodable', () => {
    const g = new RequestGuard('127.0.0.1', 8080);
    const host = { host: '127.0.0.1:8080' };
    expect(status(g, 'POST', { ...host, 'content-type': 'application/vnd.schemaregistry.v1+json' })).toBe(200);
    expect(status(g, 'POST', { ...host, origin: 'http://127.0.0.1:8080', 'sec-fetch-site': 'same-origin' })).toBe(200);
    expect(status(g, 'POST', { ...host, origin: 'http://localhost:8080' })).toBe(403);
    expect(status(g, 'DELETE', { ...host, origin: 'null' })).toBe(403);
    expect(status(g, 'PUT', { ...host, 'sec-fetch-site': 'same-site' })).toBe(403);
    expect(status(g, 'POST', { ...host, 'content-type': 'text/plain;charset=UTF-8' })).toBe(415);
    expect(status(g, 'POST', { ...host, 'content-type': 'multipart/form-data; boundary=x' })).toBe(415);
    // Reads are not writes: a cross-site GET is only subject to the Host rule.
    expect(status(g, 'GET', { ...host, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' })).toBe(200);
  });
});
