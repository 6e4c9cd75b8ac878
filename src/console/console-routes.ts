// The web console: a static page, its script and stylesheet (shipped with the package, no CDN),
// and the JSON it reads (console-api.ts). A strict Content-Security-Policy allows only this
// listener's own script and styles, on top of the script writing broker data as text only.
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Broker } from '../broker.js';
import type { HttpResponse, Router } from '../http/router.js';
import { addConsoleApiRoutes } from './console-api.js';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** The assets folder beside this module: src/console/assets, also when running from dist/src/console. */
function assetsDir(): string {
  const beside = fileURLToPath(new URL('./assets/', import.meta.url));
  return existsSync(beside) ? beside : fileURLToPath(new URL('../../../src/console/assets/', import.meta.url));
}

function asset(dir: string, name: string, contentType: string): HttpResponse {
  return { status: 200, contentType, body: readFileSync(`${dir}${name}`), headers: { 'Content-Security-Policy': CSP, 'X-Frame-Options': 'DENY' } };
}

export function addConsoleRoutes(router: Router, broker: Broker): void {
  const dir = assetsDir();
  const page = asset(dir, 'index.html', 'text/html; charset=utf-8');
  const script = asset(dir, 'console.js', 'text/javascript; charset=utf-8');
  const style = asset(dir, 'console.css', 'text/css; charset=utf-8');
  router.add('GET', '/', () => page);
  router.add('GET', '/console/console.js', () => script);
  router.add('GET', '/console/console.css', () => style);
  addConsoleApiRoutes(router, broker);
}
