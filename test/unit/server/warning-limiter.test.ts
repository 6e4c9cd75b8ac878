import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { WarningLimiter } from '../../../src/server/warning-limiter.js';
import { LogLines } from '../../helpers/log-lines.js';

describe('WarningLimiter', () => {
  it('logs a few warnings per connection and per interval, then one line counting the rest', () => {
    const lines = new LogLines();
    const log = pino({ level: 'warn' }, lines);
    const limiter = new WarningLimiter(log, { perInterval: 5, intervalMs: 60_000, perConnection: 2 });
    const chatty = limiter.forConnection();
    for (let i = 0; i < 4; i++) chatty.warn(log, { i }, 'chatty');
    for (let c = 0; c < 6; c++) limiter.forConnection().warn(log, { c }, 'one each', 'error');
    limiter.flush();
    expect(lines.lines.map((l) => l.msg)).toEqual(['chatty', 'chatty', 'one each', 'one each', 'one each', 'log lines suppressed: too many caused by clients']);
    expect(lines.lines[2]!.level).toBe(50);
    expect(lines.lines[5]).toMatchObject({ suppressed: 5, last: 'one each' });
    limiter.flush();
    expect(lines.lines).toHaveLength(6);
  });
});
