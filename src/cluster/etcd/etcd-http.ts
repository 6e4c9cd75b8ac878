// One GET to etcd's HTTP side (/version, /health), served on its client URLs next to gRPC: over
// https with the CA and client certificate of a secured etcd (Node's fetch takes no TLS options);
// and whether an address answers a TLS handshake, to tell http:// to an etcd with TLS (which
// resets the connection) from a passing failure.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:tls';
import type { EtcdTls } from '../../config/etcd-config.js';

export interface EtcdHttpAnswer {
  status: number;
  body: string;
}

/** Rejects with Node's error (its `code` tells a refused connection from a failed TLS handshake). */
export function etcdGet(url: URL, tls: EtcdTls | undefined, timeoutMs: number): Promise<EtcdHttpAnswer> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const options = {
      timeout: timeoutMs,
      ...(secure && tls !== undefined
        ? { ca: tls.ca, ...(tls.privateKey === undefined ? {} : { key: tls.privateKey, cert: tls.certChain }) }
        : {}),
    };
    const onAnswer = (res: IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    };
    const req = secure ? httpsRequest(url, options, onAnswer) : httpRequest(url, options, onAnswer);
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}

/** Whether `url`'s host and port complete a TLS handshake (the certificate unchecked: only the protocol is asked). */
export function speaksTls(url: URL, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false, timeout: timeoutMs });
    const answer = (tls: boolean): void => {
      socket.destroy();
      resolve(tls);
    };
    socket.once('secureConnect', () => answer(true));
    socket.once('error', () => answer(false));
    socket.once('timeout', () => answer(false));
  });
}
