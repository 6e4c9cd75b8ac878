// Connection limits as Kafka's ConnectionQuotas: max.connections.per.ip (with per-address
// overrides) and max.connections close new connections over the limit as soon as they are
// accepted, while the connections already open keep being served; the limits can be changed
// at runtime. The connection_creation_rate client quota (KIP-612) holds connections over an
// address's rate unanswered, then closes them. Over max.connection.creation.rate (broker-wide or
// per listener) the listener's acceptor waits instead, taking connections in arrival order no
// faster than the rate and closing only those beyond socket.listen.backlog.size meanwhile. Raw
// sockets from several loopback addresses stand for several client hosts.
import { ConfigResourceTypes } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { ConfigSource } from '../../src/config/config-def.js';
import type { RunningBroker } from '../../src/broker.js';
import { kafkaFor, withBroker } from '../helpers/broker.js';
import { alterBroker, describeBroker } from '../helpers/broker-configs.js';
import { answers, flood } from '../helpers/connection-burst.js';
import { openFrameSocket, type FrameSocket } from '../helpers/frames.js';
import { RawClient } from '../helpers/raw-client.js';

let broker: RunningBroker | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

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
      const { served, unanswered } = await flood(broker.port, 60, from);
      expect(served.length).toBeGreaterThanOrEqual(20);
      expect(unanswered).toBeGreaterThan(0);
      open.push(...served);
    }
    // An address's own quota wins over the default IP entity's.
    const own = await flood(broker.port, 60, '127.0.0.3');
    expect(own.unanswered).toBe(0);
    open.push(...own.served);
    for (const s of open) await answers(s);
    await alter([ipRate('127.0.0.1', null), ipRate(null, null), ipRate('127.0.0.3', null)]);
    for (const from of ['127.0.0.1', '127.0.0.2']) {
      const { served, unanswered } = await flood(broker.port, 60, from);
      expect(unanswered).toBe(0);
      open.push(...served);
    }
    admin.close();
    for (const s of open) s.end();
  });
});

const RATE = 'max.connection.creation.rate';
const listenerRate = (listener: string): string => `listener.name.${listener}.${RATE}`;
const ok = { errorCode: ErrorCode.NONE };
/** Kafka's refusal of a listener's rate of 0 (ListenerConnectionQuota) inside its dynamic-config check. */
const notPositive = (value: number) => ({
  errorCode: ErrorCode.INVALID_REQUEST,
  errorMessage: `Invalid value org.apache.kafka.common.config.ConfigException: Invalid ${RATE} ${value} for configuration Invalid dynamic configuration`,
});

describe('connection creation rate (max.connection.creation.rate)', () => {
  it('makes the acceptor wait: a burst is accepted in arrival order no faster than the rate, open connections are served meanwhile, and removing the rate restores accepting', async () => {
    broker = await withBroker({ properties: { 'socket.listen.backlog.size': 10 } });
    const admin = await RawClient.connect(broker.host, broker.port);
    const [early] = await served(1);
    expect(await alterBroker(admin, '1', { [RATE]: '2' })).toMatchObject(ok);

    // Connected one after another, so the broker's acceptor meets them in this order.
    const started = Date.now();
    const burst: FrameSocket[] = [];
    for (let i = 0; i < 26; i++) burst.push(await openFrameSocket(broker.port));
    const answerOrder: number[] = [];
    let lastAnsweredAt = 0;
    const answered = burst.map((s, i) =>
      answers(s).then(() => {
        answerOrder.push(i);
        lastAnsweredAt = Date.now();
      }),
    );
    // An open connection is served while the acceptor waits.
    await answers(early!);
    answerOrder.push(-1);
    await Promise.all(answered); // none is closed: Kafka delays them
    // A rate of 2 over Kafka's 11 one-second windows (a span of 10 to 11 s) lets at most 21 in at
    // once; from the 23rd on each waits at least half a second, then one second (the longest
    // wait, one window), so the last ones come one by one in arrival order, seconds later.
    expect(answerOrder.filter((i) => i >= 0).slice(-4)).toEqual([22, 23, 24, 25]);
    expect(answerOrder.indexOf(-1)).toBeLessThan(answerOrder.indexOf(25));
    expect(lastAnsweredAt - started).toBeGreaterThanOrEqual(2000);
    await answers(early!);

    expect(await alterBroker(admin, '1', { [RATE]: null })).toMatchObject(ok);
    // At 2 per second every one of these would wait (the windows hold some 30 connections) and
    // all but the 10 of the backlog be closed; without the rate each is accepted at once.
    const after = await flood(broker.port, 40);
    expect(after.unanswered).toBe(0);
    admin.close();
    for (const s of [early!, ...burst, ...after.served]) s.end();
  });

  it('takes a listener override for its listener, else the broker-wide rate, which spares the inter-broker listener beside others', async () => {
    broker = await withBroker({
      properties: {
        listeners: 'PLAINTEXT://127.0.0.1:0,OTHER://127.0.0.1:0',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,OTHER:PLAINTEXT',
        'socket.listen.backlog.size': 5,
      },
    });
    const other = broker.listeners.find((l) => l.name === 'OTHER')!.port;
    const admin = await RawClient.connect(broker.host, broker.port);
    const open: FrameSocket[] = [];
    /** Floods a listener: whether its acceptor had to wait (the backlog overflowed, closing some). */
    const throttled = async (port: number): Promise<boolean> => {
      const { served, unanswered } = await flood(port, 60);
      open.push(...served);
      return unanswered > 0;
    };

    expect(await alterBroker(admin, '1', { [listenerRate('other')]: '2' })).toMatchObject(ok);
    expect(await throttled(other)).toBe(true);
    expect(await throttled(broker.port)).toBe(false);

    // PLAINTEXT, the inter-broker listener, is spared the broker-wide rate and has its own; OTHER
    // falls back to the broker-wide one (set cluster-wide here).
    expect(await alterBroker(admin, '', { [RATE]: '2' })).toMatchObject(ok);
    expect(await alterBroker(admin, '1', { [listenerRate('other')]: null, [listenerRate('plaintext')]: '1000' })).toMatchObject(ok);
    expect(await describeBroker(admin, '1', [RATE, listenerRate('plaintext'), listenerRate('other')])).toEqual({
      [RATE]: { value: '2', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
      [listenerRate('plaintext')]: { value: '1000', source: ConfigSource.DYNAMIC_BROKER_CONFIG },
    });
    expect(await throttled(broker.port)).toBe(false);
    expect(await throttled(other)).toBe(true);
    admin.close();
    for (const s of open) s.end();
  });

  it("is shown with Kafka's default and refused negative, or (by the listeners' check) zero, as Kafka does", async () => {
    broker = await withBroker();
    const admin = await RawClient.connect(broker.host, broker.port);
    expect(await describeBroker(admin, '1', [RATE])).toEqual({ [RATE]: { value: '2147483647', source: ConfigSource.DEFAULT_CONFIG } });
    expect(await alterBroker(admin, '1', { [RATE]: '-1' })).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `Invalid value -1 for configuration ${RATE}: Value must be at least 0`,
    });
    expect(await alterBroker(admin, '1', { [listenerRate('plaintext')]: '-3' })).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `Invalid value -3 for configuration ${RATE}: Value must be at least 0`,
    });
    expect(await alterBroker(admin, '', { [RATE]: '0' })).toMatchObject(notPositive(0));
    expect(await alterBroker(admin, '1', { [listenerRate('plaintext')]: '0' })).toMatchObject(notPositive(0));
    // A listener this broker does not have is not checked.
    expect(await alterBroker(admin, '1', { [listenerRate('elsewhere')]: '0' })).toMatchObject(ok);
    expect(await alterBroker(admin, '1', { [RATE]: '5' })).toMatchObject(ok);
    expect(await describeBroker(admin, '1', [RATE])).toEqual({ [RATE]: { value: '5', source: ConfigSource.DYNAMIC_BROKER_CONFIG } });
    admin.close();
  });
});
