// What a request must pass before any route sees it. Host: only the listener's own address or
// localhost, so a hostile page cannot reach the listener through a DNS name rebound to
// 127.0.0.1 (DNS rebinding). Writes: a browser request from another site is refused — browsers
// label every request with Sec-Fetch-Site and put an Origin on every non-GET one, while
// non-browser clients (schema registry serializers, curl) send neither — and form-encodable
// bodies (which a cross-site form could post without a CORS preflight) are refused outright.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** Methods that change nothing and so need no same-origin check. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Content types an HTML form can send cross-site without a preflight. */
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

export interface Refusal {
  status: number;
  message: string;
}

export class RequestGuard {
  private readonly hostnames: Set<string>;
  private readonly anyIpLiteral: boolean;

  /** `bindHost` as configured; `port` as bound. */
  constructor(
    bindHost: string,
    private readonly port: number,
  ) {
    this.hostnames = new Set(['localhost', '127.0.0.1', '[::1]', bracketed(bindHost).toLowerCase()]);
    // Bound to every interface: clients reach it by any of the machine's addresses. IP literals
    // cannot be rebound, so accepting them keeps the DNS rebinding defence.
    this.anyIpLiteral = bindHost === '' || bindHost === '0.0.0.0' || bindHost === '::';
  }

  /** Why the request is refused, or undefined when it may go on. */
  check(req: IncomingMessage): Refusal | undefined {
    const host = req.headers.host;
    if (host === undefined || !this.hostAllowed(host)) return { status: 421, message: `Host ${host ?? '(none)'} is not an address of this listener` };
    if (SAFE_METHODS.has(req.method ?? 'GET')) return undefined;
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return { status: 403, message: `Cross-site request refused (Sec-Fetch-Site: ${site})` };
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host.toLowerCase()}`) return { status: 403, message: `Cross-origin request refused (Origin: ${origin})` };
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (FORM_TYPES.includes(type)) return { status: 415, message: `Content type ${type} is not accepted` };
    return undefined;
  }

  private hostAllowed(host: string): boolean {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.toLowerCase());
    if (m === null) return false;
    const [, name, port] = m;
    if (port !== undefined ? Number(port) !== this.port : this.port !== 80) return false;
    return this.hostnames.has(name!) || (this.anyIpLiteral && isIP(name!.replace(/^\[|\]$/g, '')) !== 0);
  }
}

function bracketed(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
