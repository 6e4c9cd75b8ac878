import pino from 'pino';
import { afterEach, expect, it, vi } from 'vitest';
import { AuthFailureWarnings, InterBrokerAuthFailure } from '../../../src/replica/inter-broker-auth.js';
import { LogLines } from '../../helpers/log-lines.js';

afterEach(() => {
  vi.useRealTimers();
});

it('warns once per peer per interval, then how many more failures there were; other errors are not its business', () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  const lines = new LogLines();
  const warnings = new AuthFailureWarnings(pino({ level: 'warn' }, lines), 'SASL_PLAINTEXT', 60_000);
  const refused = new InterBrokerAuthFailure('Authentication failed: Invalid username or password', 'sasl');
  const leader = { peer: 'the leader', consequence: 'replication from it stops', fields: { leader: 2 } };
  const other = { peer: 'broker 3', consequence: 'markers to it fail', fields: { broker: 3 } };
  expect(warnings.report(new Error('ECONNREFUSED'), leader)).toBe(false);
  for (let i = 0; i < 5; i++) expect(warnings.report(refused, leader)).toBe(true);
  expect(warnings.report(refused, other)).toBe(true);
  const message = "the leader refused this broker's inter-broker authentication; replication from it stops until the credentials are fixed";
  expect(lines.lines.map((l) => [l.msg, l.more])).toEqual([
    [message, undefined],
    ["broker 3 refused this broker's inter-broker authentication; markers to it fail until the credentials are fixed", undefined],
  ]);
  vi.advanceTimersByTime(60_000);
  expect(lines.lines).toHaveLength(3);
  expect(lines.lines[2]).toMatchObject({ msg: message, leader: 2, listener: 'SASL_PLAINTEXT', more: 4, reason: 'Authentication failed: Invalid username or password' });
});
