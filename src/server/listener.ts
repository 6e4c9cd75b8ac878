// The TCP listener: accepts connections, hands each to a Connection, and closes them all
// gracefully (finishing requests in flight) on shutdown.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { Connection, type ConnectionOptions } from './connection.js';
import type { ApiRegistry } from '../apis/registry.js';
import type { Broker } from '../broker.js';

export class Listener {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private nextId = 1;

  constructor(
    broker: Broker,
    apis: ApiRegistry,
    opts: ConnectionOptions,
    private readonly log: Logger,
  ) {
    this.server = createServer({ noDelay: true }, (socket: Socket) => {
      const conn = new Connection(socket, this.nextId++, broker, apis, opts, log);
      this.connections.add(conn);
      socket.on('close', () => this.connections.delete(conn));
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host, port, backlog: 1024 }, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  /** Stops accepting, lets each connection finish its current request, then closes it. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.close()));
    await closed;
    this.log.debug('listener closed');
  }
}
