// A plain HTTP client for tests of the broker's HTTP listener: node:http, so that any header
// (Host, Origin, Sec-Fetch-Site, Authorization) is sent exactly as given.
import { request } from 'node:http';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpCall {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON with Content-Type application/json unless a content type is given. */
  json?: unknown;
  body?: string;
}

export function httpCall(baseUrl: string, path: string, call: HttpCall = {}): Promise<HttpAnswer> {
  const url = new URL(path, baseUrl);
  const body = call.json !== undefined ? JSON.stringify(call.json) : call.body;
  const headers: Record<string, string> = { ...(call.json !== undefined ? { 'Content-Type': 'application/json' } : {}), ...call.headers };
  return new Promise((resolve, reject) => {
    const req = request(url, { method: call.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** An HTTP call answered in JSON: the status and the parsed body (null when empty), typed as the caller expects it. */
export async function jsonCall<T = unknown>(baseUrl: string, path: string, call: HttpCall = {}): Promise<{ status: number; body: T }> {
  const answer = await httpCall(baseUrl, path, call);
  return { status: answer.status, body: (answer.body === '' ? null : JSON.parse(answer.body)) as T };
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** The value of one Prometheus sample (`name{labels}`) in a text exposition, or undefined. */
export function promSample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const found = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(m[3]);
  }
  return undefined;
}
