// A small router for the broker's HTTP listener: routes are a method and a path pattern whose
// `:name` segments become parameters (percent-decoded). Handlers get the parsed request and
// return a response; an HttpError thrown by a handler becomes its status and JSON body.
import type { IncomingHttpHeaders } from 'node:http';

export interface HttpRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The authenticated user when the listener requires credentials. */
  user: string | undefined;
  /** The client's address and port, as the socket reports them. */
  remoteAddress: string;
  /** The body parsed as JSON; an HttpError (400 class) when it is not JSON. */
  json(): Promise<unknown>;
}

export interface HttpResponse {
  status: number;
  contentType: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

export type RouteHandler = (req: HttpRequest) => HttpResponse | Promise<HttpResponse>;

/** A failure with the HTTP status and the JSON body to answer with. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly contentType = 'application/json',
  ) {
    super(typeof body.message === 'string' ? body.message : `HTTP ${status}`);
  }
}

interface Route {
  method: string;
  segments: string[];
  handler: RouteHandler;
}

export type RouteMatch = { handler: RouteHandler; params: Record<string, string> } | { allowed: string[] } | undefined;

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: RouteHandler): this {
    this.routes.push({ method, segments: splitPath(pattern), handler });
    return this;
  }

  /** The handler for a request, the methods the path allows (405) when none matches the method, or undefined (404). */
  match(method: string, path: string): RouteMatch {
    const segments = splitPath(path);
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (params === undefined) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { handler: route.handler, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { allowed } : undefined;
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function matchSegments(pattern: string[], path: string[]): Record<string, string> | undefined {
  if (pattern.length !== path.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, p] of pattern.entries()) {
    const segment = path[i]!;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(segment);
      } catch {
        return undefined;
      }
    } else if (p !== segment) {
      return undefined;
    }
  }
  return params;
}

export function jsonResponse(status: number, body: unknown, contentType = 'application/json'): HttpResponse {
  return { status, contentType, body: JSON.stringify(body) };
}
