// Inter-broker request timeouts against a peer on a real loopback socket that accepts connections
// and reads requests but answers only when told to (a broker alive at the TCP level but hung):
// an unanswered request fails with InterBrokerTimeout and closes its connection, the next request
// goes over a new one, and an answer in time leaves the connection as it was.
import { createServer, type Server, type Socket } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeResponse, type ResponseOf } from '../../../protocol/codec/messages.js';
import { ErrorCode } from '../../../protocol/errors.js';
import type { BrokerNode } from '../../../src/cluster/cluster-view.js';
import { BrokerConnection, InterBrokerTimeout } from '../../../src/replica/broker-connection.js';
import { BrokerConnections } from '../../../src/replica/broker-connections.js';
import { FakeCluster } from '../../helpers/fake-cluster.js';

const TIMEOUT_MS = 200;
const ADD_PARTITIONS_VERSION = 4;
const request = { transactions: [], v3AndBelowTransactionalId: '', v3AndBelowProducerId: -1, v3AndBelowProducerEpoch: -1, v3AndBelowTopics: [] };
const answer: ResponseOf<24> = { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction: [], resultsByTopicV3AndBelow: [] };

/** A peer that reads requests and answers AddPartitionsToTxn v4 only while `answering`. */
class QuietPeer {
  answering = false;
  /** Every connection accepted, and whether the other side has closed it. */
  readonly accepted: { socket: Socket; closed: Promise<void> }[] = [];
  private readonly server: Server;

  constructor() {
    this.server = createServer((socket) => {
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.on('error', () => undefined);
      this.accepted.push({ socket, closed });
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 4 && buffered.length >= buffered.readInt32BE(0) + 4) {
          const correlationId = buffered.readInt32BE(8);
          buffered = buffered.subarray(buffered.readInt32BE(0) + 4);
          if (this.answering) for (const b of encodeResponse(24, ADD_PARTITIONS_VERSION, correlationId, answer)) socket.write(b);
        }
      });
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const { socket } of this.accepted) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let peer: QuietPeer;
let port: number;
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await peer.close();
});

async function startPeer(): Promise<void> {
  peer = new QuietPeer();
  port = await peer.listen();
}

describe('BrokerConnection request timeout', () => {
  it('fails an unanswered request with InterBrokerTimeout after request.timeout.ms, failing the others on the connection and closing it', async () => {
    await startPeer();
    const connection = await BrokerConnection.open('127.0.0.1', port, 'timeout-test', {}, { requestTimeoutMs: TIMEOUT_MS, readyTimeoutMs: 10_000 });
    cleanups.push(() => connection.close());
    const first = connection.send(24, ADD_PARTITIONS_VERSION, request);
    const second = connection.send(24, ADD_PARTITIONS_VERSION, request);
    await expect(first).rejects.toThrow(InterBrokerTimeout);
    await expect(first).rejects.toThrow(`no answer to AddPartitionsToTxn within ${TIMEOUT_MS} ms (request.timeout.ms)`);
    await expect(second).rejects.toThrow(InterBrokerTimeout);
    expect(connection.isOpen).toBe(false);
    await peer.accepted[0]!.closed;
    await expect(connection.send(24, ADD_PARTITIONS_VERSION, request)).rejects.toThrow(InterBrokerTimeout);
  }, 30_000);

  it('keeps the connection when the answer comes in time: its timer is cleared', async () => {
    await startPeer();
    peer.answering = true;
    const connection = await BrokerConnection.open('127.0.0.1', port, 'timeout-test', {}, { requestTimeoutMs: TIMEOUT_MS, readyTimeoutMs: 10_000 });
    cleanups.push(() => connection.close());
    expect(await connection.send(24, ADD_PARTITIONS_VERSION, request)).toEqual(answer);
    // Past the answered request's timeout, a timer left behind would have closed the connection.
    await sleep(TIMEOUT_MS * 3);
    expect(connection.isOpen).toBe(true);
    expect(await connection.send(24, ADD_PARTITIONS_VERSION, request)).toEqual(answer);
    expect(peer.accepted).toHaveLength(1);
  }, 30_000);

  it('gives up a connection that is not ready (the SASL exchange unanswered) within its ready timeout', async () => {
    await startPeer();
    const sasl = { mechanism: 'PLAIN', username: 'broker', password: 'secret' };
    const opening = BrokerConnection.open('127.0.0.1', port, 'timeout-test', { sasl }, { requestTimeoutMs: 60_000, readyTimeoutMs: TIMEOUT_MS });
    await expect(opening).rejects.toThrow(InterBrokerTimeout);
    await expect(opening).rejects.toThrow(`connection to 127.0.0.1:${port} not ready within ${TIMEOUT_MS} ms`);
    await peer.accepted[0]!.closed;
  }, 30_000);
});

describe('BrokerConnections request timeout', () => {
  it('fails a request the broker does not answer, then sends the next over a new connection', async () => {
    await startPeer();
    class AtPeer extends FakeCluster {
      override broker(nodeId: number): BrokerNode {
        return { nodeId, host: '127.0.0.1', port, rack: null };
      }
    }
    const connections = new BrokerConnections(new AtPeer(), { listenerName: 'PLAINTEXT' }, 'timeout-test', TIMEOUT_MS, pino({ level: 'silent' }));
    cleanups.push(() => connections.close());
    await expect(connections.send(2, 24, ADD_PARTITIONS_VERSION, request)).rejects.toThrow(InterBrokerTimeout);
    await peer.accepted[0]!.closed;
    peer.answering = true;
    expect(await connections.send(2, 24, ADD_PARTITIONS_VERSION, request)).toEqual(answer);
    expect(peer.accepted).toHaveLength(2);
  }, 30_000);
});
