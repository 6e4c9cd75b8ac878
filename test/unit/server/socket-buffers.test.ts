// socket.send.buffer.bytes / socket.receive.buffer.bytes: set on a connection as Kafka's acceptor
// sets them. Linux reports twice the size asked for (its bookkeeping overhead, socket(7)).
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { platform } from 'node:os';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SocketBuffers } from '../../../src/server/socket-buffers.js';
import { withBroker } from '../../helpers/broker.js';
import { requireProgram } from '../../helpers/programs.js';
import { socketBufferSizes } from '../../helpers/socket-memory.js';

const onLinux = platform() === 'linux';
const { getsockopt } = createRequire(import.meta.url)('sockopt') as { getsockopt(socket: Socket, level: number, option: number): number };
const SOL_SOCKET = 1;
const SO_SNDBUF = 7;
const SO_RCVBUF = 8;

/** A connected pair: the accepted socket, after `onAccept` ran on it, and the client's. */
async function acceptedPair(onAccept: (socket: Socket) => void): Promise<{ server: Server; accepted: Socket; client: Socket }> {
  let accepted: Socket | undefined;
  const server = createServer((socket) => {
    onAccept(socket);
    accepted = socket;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  await once(client, 'connect');
  while (accepted === undefined) await new Promise((r) => setTimeout(r, 5));
  return { server, accepted, client };
}

describe.skipIf(!onLinux)('socket buffer sizes', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => cleanup.splice(0).forEach((f) => f()));
  const warnings = (): { log: pino.Logger; lines: Record<string, unknown>[] } => {
    const lines: Record<string, unknown>[] = [];
    return { lines, log: pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) }) };
  };

  it('sets SO_SNDBUF and SO_RCVBUF on an accepted socket, and leaves either alone at -1', async () => {
    const { log, lines } = warnings();
    const both = await acceptedPair((s) => new SocketBuffers(102400, 65536, 'socket.send.buffer.bytes and socket.receive.buffer.bytes', log).apply(s));
    cleanup.push(() => both.client.destroy(), () => both.accepted.destroy(), () => both.server.close());
    expect([getsockopt(both.accepted, SOL_SOCKET, SO_SNDBUF), getsockopt(both.accepted, SOL_SOCKET, SO_RCVBUF)]).toEqual([204800, 131072]);

    let untouched: number[] = [];
    const neither = await acceptedPair((s) => {
      untouched = [getsockopt(s, SOL_SOCKET, SO_SNDBUF), getsockopt(s, SOL_SOCKET, SO_RCVBUF)];
      new SocketBuffers(-1, -1, 'socket.send.buffer.bytes and socket.receive.buffer.bytes', log).apply(s);
    });
    cleanup.push(() => neither.client.destroy(), () => neither.accepted.destroy(), () => neither.server.close());
    expect([getsockopt(neither.accepted, SOL_SOCKET, SO_SNDBUF), getsockopt(neither.accepted, SOL_SOCKET, SO_RCVBUF)]).toEqual(untouched);
    expect(lines).toEqual([]);
  });

  it('warns once, naming the setting, and keeps serving, when a size cannot be set', async () => {
    const { log, lines } = warnings();
    const buffers = new SocketBuffers(-1, 65536, 'replica.socket.receive.buffer.bytes', log);
    const fake = { _handle: { fd: 1_000_000 }, destroyed: false } as unknown as Socket;
    buffers.apply(fake);
    buffers.apply(fake);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'replica.socket.receive.buffer.bytes cannot be applied here; connections keep the OS buffer sizes' });
  });

  it.skipIf(requireProgram('ss', { install: 'apt-get install iproute2' }))("gives a broker's client connections Kafka's 100 KiB buffers by default", async () => {
    const broker = await withBroker();
    cleanup.push(() => void broker.stop());
    const client = connect(broker.port, '127.0.0.1');
    cleanup.push(() => client.destroy());
    await once(client, 'connect');
    // The broker's side of the connection.
    expect(socketBufferSizes(`( sport = :${broker.port} and dport = :${client.localPort} )`)).toEqual([{ sendBytes: 204800, receiveBytes: 204800 }]);
  });
});
