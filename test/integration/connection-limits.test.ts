// Connection limits as Kafka's ConnectionQuotas: max.connections.per.ip (with per-address
// overrides) and max.connections close new connections over the limit as soon as they are
// accepted, while the connections already open keep being served; the limits can be changed
// at runtime. The connection_creation_rate client quota (KIP-612) holds connections over an
// address's rate unanswered, then closes them. Raw sockets from several loopback addresses stand
// for several client hosts.
import { ConfigResourceTypes } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeResponse, encodeRequest } from '../../protocol/codec/messages.js';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';
import { openFrameSocket, type FrameSocket } from '../helpers/frames.js';
import { RawClient } from '../helpers/raw-client.js';

let broker: RunningBroker | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

let correlationId = 0;
/** Fails unless the connection answers an ApiVersions request. */
async function answers(s: FrameSocket): Promise<void> {
  const id = ++correlationId;
  s.send(encodeRequest(18, 3, id, 'limits', { clientSoftwareName: 'limits', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 }));
  const frame = await Promise.race([s.next(), s.closed.then(() => Promise.reject(new Error('connection closed')))]);
  const res = decodeResponse(18, 3, frame);
  expect(res.correlationId).toBe(id);
  expect(res.body.errorCode).toBe(0);
}

/** Opens `n` connections from `from` and checks each is served. */
async function served(n: number, from = '127.0.0.1'): Promise<FrameSocket[]> {
  const sockets: FrameSocket[] = [];
  for (let i = 0; i < n; i++) {
    const s = await openFrameSocket(broker!.port, '127.0.0.1', from);
    await answers(s);
    sockets.push(s);
  }
  return sockets;
}

/** Opens a connection from `from` and waits for the broker to close it. */
async function refused(from = '127.0.0.1'): Promise<void> {
  const s = await openFrameSocket(broker!.port, '127.0.0.1', from);
  await s.closed;
}

/**
 * Opens `n` connections from `from` at once, each sending an ApiVersions request: those answered
 * (kept open), and how many were closed without an answer.
 */
async function flood(n: number, from: string): Promise<{ served: FrameSocket[]; unanswered: number }> {
  const outcomes = await Promise.all(
    Array.from({ length: n }, async () => {
      const s = await openFrameSocket(broker!.port, '127.0.0.1', from);
      return answers(s).then(() => s, () => null);
    }),
  );
  const served = outcomes.filter((s): s is FrameSocket => s !== null);
  return { served, unanswered: n - served.length };
}

/** An AlterClientQuotas entry setting (or with `rate` null removing) connection_creation_rate for an IP entity (null: the default one). */
const ipRate = (ip: string | null, rate: number | null) => ({
  entity: [{ entityType: 'ip', entityName: ip }],
  ops: [{ key: 'connection_creation_rate', value: rate ?? 0, remove: rate === null }],
});

describe('connection limits', () => {
  it('closes connections over max.connections.per.ip, honours overrides, and keeps serving open ones', async () => {
    broker = await withBroker({ properties: { 'max.connections.per.ip': 3, 'max.connections.per.ip.overrides': '127.0.0.2:1,127.0.0.3:5' } });
    const open = await served(3);
    // A flood from the same address: every one is closed at once.
    await Promise.all(Array.from({ length: 100 }, () => refused()));
    for (const s of open) await answers(s);
    // Other addresses have their own counts, and their overrides.
    const second = await served(1, '127.0.0.2');
    await refused('127.0.0.2');
    const third = await served(5, '127.0.0.3');
    await refused('127.0.0.3');
    // A closed connection gives its place back (once the broker has seen it close).
    open.pop()!.socket.destroy();
    for (;;) {
      const s = await openFrameSocket(broker.port);
      if (await answers(s).then(() => true, () => false)) {
        open.push(s);
        break;
      }
    }
    for (const s of [...open, ...second, ...third]) s.end();
  });

  it('closes connections over max.connections, and applies a limit altered at runtime', async () => {
    broker = await withBroker({ properties: { 'max.connections': 4 } });
    const open = await served(2);
    const admin = kafkaFor(broker).admin();
    await admin.connect(); // kafkajs keeps one connection for the admin client
    open.push(...(await served(1)));
    await refused('127.0.0.4');
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: 'max.connections', value: '6' }] }] });
    open.push(...(await served(2, '127.0.0.4')));
    await refused('127.0.0.5');
    for (const s of open) await answers(s);
    await admin.disconnect();
    for (const s of open) s.end();
  });

  it('holds connections over connection_creation_rate unanswered and closes them, per address, until the quota is removed', async () => {
    broker = await withBroker();
    // Opened before the quotas, so not counted against them; it keeps being served throughout.
    const admin = await RawClient.connect(broker.host, broker.port);
    const alter = async (entries: ReturnType<typeof ipRate>[]): Promise<void> => {
      const res = await admin.send(49, 1, { entries, validateOnly: false });
      expect(res.entries.map((e) => e.errorCode)).toEqual(entries.map(() => 0));
    };
    await alter([ipRate('127.0.0.1', 2), ipRate(null, 2), ipRate('127.0.0.3', 1000)]);
    // A rate of 2 over Kafka's 11 one-second windows (at least 10 s) lets the first 20 in at once.
    const open: FrameSocket[] = [];
    for (const from of ['127.0.0.1', '127.0.0.2']) {
      const { served, unanswered } = await flood(60, from);
      expect(served.length).toBeGreaterThanOrEqual(20);
      expect(unanswered).toBeGreaterThan(0);
      open.push(...served);
    }
    // An address's own quota wins over the default IP entity's.
    const own = await flood(60, '127.0.0.3');
    expect(own.unanswered).toBe(0);
    open.push(...own.served);
    for (const s of open) await answers(s);
    await alter([ipRate('127.0.0.1', null), ipRate(null, null), ipRate('127.0.0.3', null)]);
    for (const from of ['127.0.0.1', '127.0.0.2']) {
      const { served, unanswered } = await flood(60, from);
      expect(unanswered).toBe(0);
      open.push(...served);
    }
    admin.close();
    for (const s of open) s.end();
  });
});
