// The web console: a static page, its script and stylesheet (shipped with the package, no CDN),
// the charting library uPlot served from its installed package, and the JSON the page reads. A
// strict Content-Security-Policy allows only this listener's own scripts and styles, on top of
// the page writing broker data as text only.
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { HttpResponse, Router } from '../http/router.js';
import type { SchemaRegistry } from '../schema-registry/schema-registry.js';
import { addClusterRoutes } from './cluster-api.js';
import { consoleContext, type ConsoleHost } from './console-context.js';
import { addGroupRoutes } from './groups-api.js';
import { addRecordRoutes } from './records-api.js';
import { addStatsRoutes } from './stats-api.js';
import { addTopicRoutes } from './topics-api.js';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const ASSETS: readonly [name: string, contentType: string][] = [
  ['console.js', 'text/javascript; charset=utf-8'],
  ['charts.js', 'text/javascript; charset=utf-8'],
  ['console.css', 'text/css; charset=utf-8'],
];

/** The assets folder beside this module: src/console/assets, also when running from dist/src/console. */
function assetsDir(): string {
  const beside = fileURLToPath(new URL('./assets/', import.meta.url));
  return existsSync(beside) ? beside : fileURLToPath(new URL('../../../src/console/assets/', import.meta.url));
}

function asset(path: string, contentType: string): HttpResponse {
  return { status: 200, contentType, body: readFileSync(path), headers: { 'Content-Security-Policy': CSP, 'X-Frame-Options': 'DENY' } };
}

export function addConsoleRoutes(router: Router, broker: ConsoleHost, registry: SchemaRegistry): void {
  const dir = assetsDir();
  const page = asset(`${dir}index.html`, 'text/html; charset=utf-8');
  router.add('GET', '/', () => page);
  for (const [name, type] of ASSETS) {
    const file = asset(`${dir}${name}`, type);
    router.add('GET', `/console/${name}`, () => file);
  }
  const require = createRequire(import.meta.url);
  const uplotScript = asset(require.resolve('uplot/dist/uPlot.iife.min.js'), 'text/javascript; charset=utf-8');
  const uplotStyle = asset(require.resolve('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8');
  router.add('GET', '/console/uPlot.js', () => uplotScript);
  router.add('GET', '/console/uPlot.css', () => uplotStyle);
  const ctx = consoleContext(broker, registry);
  addClusterRoutes(router, ctx);
  addTopicRoutes(router, ctx);
  addRecordRoutes(router, ctx);
  addGroupRoutes(router, ctx);
  addStatsRoutes(router, ctx);
}
