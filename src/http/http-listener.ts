// The broker's one HTTP listener (node:http): every request passes the guard (Host, same-origin
// writes) and, when the Kafka listeners require SASL, HTTP Basic credentials; then the router
// picks the handler. Health probes need no credentials: they tell nothing but "up".
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { BasicAuth } from './basic-auth.js';
import { RequestGuard } from './request-guard.js';
import { HttpError, type HttpRequest, type HttpResponse, type Router } from './router.js';

/** Largest request body read (schemas are the largest bodies). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const OPEN_PATHS = new Set(['/health/live', '/health/ready']);

export interface HttpListener {
  readonly host: string;
  readonly port: number;
  /** Base URL, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  close(): Promise<void>;
}

export async function startHttpListener(opts: { host: string; port: number; router: Router; auth: BasicAuth; log: Logger }): Promise<HttpListener> {
  const { router, auth, log } = opts;
  let guard: RequestGuard | undefined;
  const server: Server = createServer((req, res) => {
    void serve(req, res, guard!, router, auth, log);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  guard = new RequestGuard(opts.host, port);
  const urlHost = opts.host === '' || opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    host: opts.host,
    port,
    url: `http://${urlHost}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, guard: RequestGuard, router: Router, auth: BasicAuth, log: Logger): Promise<void> {
  let response: HttpResponse;
  try {
    response = await route(req, guard, router, auth);
  } catch (err) {
    if (err instanceof HttpError) {
      response = { status: err.status, contentType: err.contentType, body: JSON.stringify(err.body) };
    } else {
      log.error({ err, method: req.method, url: req.url }, 'HTTP handler failed');
      response = { status: 500, contentType: 'application/json', body: JSON.stringify({ error_code: 500, message: 'Internal server error' }) };
    }
  }
  res.writeHead(response.status, {
    'Content-Type': response.contentType,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    ...response.headers,
  });
  res.end(req.method === 'HEAD' ? undefined : response.body);
}

async function route(req: IncomingMessage, guard: RequestGuard, router: Router, auth: BasicAuth): Promise<HttpResponse> {
  const refusal = guard.check(req);
  if (refusal !== undefined) throw new HttpError(refusal.status, { error_code: refusal.status, message: refusal.message });
  const url = new URL(req.url ?? '/', 'http://localhost');
  let user: string | undefined;
  if (auth.required && !OPEN_PATHS.has(url.pathname)) {
    user = auth.authenticate(req.headers.authorization);
    if (user === undefined) {
      return {
        status: 401,
        contentType: 'application/json',
        body: JSON.stringify({ error_code: 401, message: 'Unauthorized' }),
        headers: { 'WWW-Authenticate': 'Basic realm="creek", charset="UTF-8"' },
      };
    }
  }
  const method = req.method ?? 'GET';
  const match = router.match(method, url.pathname);
  if (match === undefined) throw new HttpError(404, { error_code: 404, message: 'HTTP 404 Not Found' });
  if ('allowed' in match) throw new HttpError(405, { error_code: 405, message: 'HTTP 405 Method Not Allowed' });
  const request: HttpRequest = {
    method,
    path: url.pathname,
    params: match.params,
    query: url.searchParams,
    headers: req.headers,
    user,
    remoteAddress: `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? 0}`,
    json: () => readJson(req),
  };
  return match.handler(request);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, { error_code: 413, message: 'Request body too large' });
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text === '' ? null : JSON.parse(text);
  } catch {
    // Confluent answers an unparsable body with 400 and a Jackson message.
    throw new HttpError(400, { error_code: 400, message: 'Unrecognized token: the request body is not JSON' });
  }
}
