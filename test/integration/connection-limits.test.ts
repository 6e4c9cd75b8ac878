// Connection limits as Kafka's ConnectionQuotas: max.connections.per.ip (with per-address
// overrides) closes new connections over the limit as soon as they are accepted; over
// max.connections (the broker's, or a listener's listener.name.<l>.max.connections) the
// listener's acceptor waits for a slot instead, while the connections already open keep being
// served; the limits can be changed at runtime. The inter-broker listener may go over the broker's
// max.connections, the other listeners then closing their least recently used connections, as
// they do when the limit is lowered below the connections open. The connection_creation_rate client quota (KIP-612) holds connections over an
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
import { answers, awaitAnswer, flood } from '../helpers/connection-burst.js';
import { openFrameSocket, type FrameSocket } from '../helpers/frames.js';
import { RawClient } from '../helpers/raw-client.js';

let broker: RunningBroker | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

/** Opens `n` connections from `from` (to `port`, else the broker's first listener) and checks each is served. */
async function served(n: number, from = '127.0.0.1', port = broker!.port): Promise<FrameSocket[]> {
  const sockets: FrameSocket[] = [];
  for (let i = 0; i < n; i++) {
    const s = await openFrameSocket(port, '127.0.0.1', from);
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

const MAX = 'max.connections';
const RATE = 'max.connection.creation.rate';
const listenerMax = (listener: string): string => `listener.name.${listener}.${MAX}`;
const listenerRate = (listener: string): string => `listener.name.${listener}.${RATE}`;
const ok = { errorCode: ErrorCode.NONE };
/** Kafka's refusal of a listener's limit of 0 (ListenerConnectionQuota) inside its dynamic-config check. */
const notPositive = (key: string, value: number) => ({
  errorCode: ErrorCode.INVALID_REQUEST,
  errorMessage: `Invalid value org.apache.kafka.common.config.ConfigException: Invalid ${key} ${value} for configuration Invalid dynamic configuration`,
});

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

  it('keeps a connection over max.connections waiting until a slot frees (a connection closes, the limit is raised), serving the open ones meanwhile', async () => {
    broker = await withBroker({ properties: { 'max.connections': 3 } });
    const admin = await RawClient.connect(broker.host, broker.port);
    const open = await served(2);
    // The 4th and 5th are accepted by the OS and wait, unread, in the listener's acceptor.
    const fourth = await openFrameSocket(broker.port, '127.0.0.1', '127.0.0.4');
    const fifth = await openFrameSocket(broker.port, '127.0.0.1', '127.0.0.5');
    const [fourthAnswer, fifthAnswer] = [awaitAnswer(fourth), awaitAnswer(fifth)];
    for (const s of open) await answers(s);
    expect(await describeBroker(admin, '1', [MAX])).toEqual({ [MAX]: { value: '3', source: ConfigSource.STATIC_BROKER_CONFIG } });
    expect(fourthAnswer.answered() || fifthAnswer.answered()).toBe(false);
    // A closed connection gives its slot to the first one waiting; the next waits on.
    open.shift()!.end();
    await fourthAnswer.answer;
    for (const s of open) await answers(s);
    expect(fifthAnswer.answered()).toBe(false);
    // Raising the limit at runtime lets it in, and then new ones up to the new limit.
    expect(await alterBroker(admin, '1', { [MAX]: '5' })).toMatchObject(ok);
    await fifthAnswer.answer;
    open.push(fourth, fifth, ...(await served(1)));
    const sixth = await openFrameSocket(broker.port);
    const sixthAnswer = awaitAnswer(sixth);
    for (const s of open) await answers(s);
    expect(sixthAnswer.answered()).toBe(false);
    admin.close();
    await sixthAnswer.answer;
    for (const s of [...open, sixth]) s.end();
  });

  it("enforces listener.name.<listener>.max.connections on its listener only, changed at runtime and checked as Kafka's", async () => {
    broker = await withBroker({
      properties: {
        listeners: 'PLAINTEXT://127.0.0.1:0,OTHER://127.0.0.1:0',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,OTHER:PLAINTEXT',
        [listenerMax('other')]: 1,
      },
    });
    const other = broker.listeners.find((l) => l.name === 'OTHER')!.port;
    const admin = await RawClient.connect(broker.host, broker.port);
    const [first] = await served(1, '127.0.0.1', other);
    const second = await openFrameSocket(other);
    const secondAnswer = awaitAnswer(second);
    // The other listener keeps accepting.
    const plain = await served(3);
    await answers(first!);
    expect(secondAnswer.answered()).toBe(false);
    expect(await describeBroker(admin, '1', [MAX, listenerMax('other')])).toEqual({
      [MAX]: { value: '2147483647', source: ConfigSource.DEFAULT_CONFIG },
      [listenerMax('other')]: { value: '1', source: ConfigSource.STATIC_BROKER_CONFIG },
    });
    // Checked as the broker-wide key, then by Kafka's check of the listener's limits.
    expect(await alterBroker(admin, '1', { [listenerMax('other')]: '-1' })).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `Invalid value -1 for configuration ${MAX}: Value must be at least 0`,
    });
    expect(await alterBroker(admin, '1', { [listenerMax('other')]: '0' })).toMatchObject(notPositive(MAX, 0));
    expect(await alterBroker(admin, '', { [MAX]: '0' })).toMatchObject(notPositive(MAX, 0));
    expect(secondAnswer.answered()).toBe(false);
    expect(await alterBroker(admin, '1', { [listenerMax('other')]: '2' })).toMatchObject(ok);
    await secondAnswer.answer;
    const third = await openFrameSocket(other);
    const thirdAnswer = awaitAnswer(third);
    for (const s of [first!, second, ...plain]) await answers(s);
    expect(thirdAnswer.answered()).toBe(false);
    first!.end();
    await thirdAnswer.answer;
    admin.close();
    for (const s of [second, third, ...plain]) s.end();
  });

  it('lets the inter-broker listener go over max.connections, the other listener closing its least recently used connection, and closes the excess when the limit is lowered', async () => {
    broker = await withBroker({
      properties: {
        listeners: 'PLAINTEXT://127.0.0.1:0,OTHER://127.0.0.1:0',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,OTHER:PLAINTEXT',
        [MAX]: 3,
      },
    });
    const other = broker.listeners.find((l) => l.name === 'OTHER')!.port;
    // PLAINTEXT is the inter-broker listener.
    const admin = await RawClient.connect(broker.host, broker.port);
    const [a, b] = await served(2, '127.0.0.1', other);
    await answers(a!); // b is now the least recently used
    const [c] = await served(1);
    await b!.closed;
    for (const s of [a!, c!]) await answers(s);
    // The other listener waits for a slot: one frees when c closes.
    const d = await openFrameSocket(other);
    const dAnswer = awaitAnswer(d);
    await answers(a!);
    expect(dAnswer.answered()).toBe(false);
    c!.end();
    await dAnswer.answer;
    // Lowered to 2 with 3 open: the other listener closes its least recently used one, a.
    expect(await alterBroker(admin, '1', { [MAX]: '2' })).toMatchObject(ok);
    await a!.closed;
    await answers(d);
    admin.close();
    d.end();
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
    expect(await alterBroker(admin, '', { [RATE]: '0' })).toMatchObject(notPositive(RATE, 0));
    expect(await alterBroker(admin, '1', { [listenerRate('plaintext')]: '0' })).toMatchObject(notPositive(RATE, 0));
    // A listener this broker does not have is not checked.
    expect(await alterBroker(admin, '1', { [listenerRate('elsewhere')]: '0' })).toMatchObject(ok);
    expect(await alterBroker(admin, '1', { [RATE]: '5' })).toMatchObject(ok);
    expect(await describeBroker(admin, '1', [RATE])).toEqual({ [RATE]: { value: '5', source: ConfigSource.DYNAMIC_BROKER_CONFIG } });
    admin.close();
  });
});
