// Everything the broker serves over HTTP, on one listener: /metrics and health probes, the
// schema registry, and the web console. Started by runBroker when creek.http.port is set.
import type { Logger } from 'pino';
import type { HttpListenerConfig } from '../config/broker-config.js';
import type { ConsoleHost } from '../console/console-context.js';
import { addConsoleRoutes } from '../console/console-routes.js';
import type { FaultInjector } from '../faults/fault-injector.js';
import { addFaultRoutes } from '../faults/fault-routes.js';
import { addMetricsRoutes } from '../metrics/metrics-routes.js';
import { addSchemaRegistryRoutes } from '../schema-registry/registry-routes.js';
import { SchemaRegistry } from '../schema-registry/schema-registry.js';
import { BasicAuth } from './basic-auth.js';
import { startHttpListener, type HttpListener } from './http-listener.js';
import { Router } from './router.js';

/** What the HTTP side reads of its broker: what the console reads, and the fault injector for /admin/faults. */
export interface HttpHost extends ConsoleHost {
  readonly faults: FaultInjector;
}

/** The HTTP listener, or undefined when the port was only a default and is taken (a warning). */
export async function startHttpService(broker: HttpHost, config: HttpListenerConfig, log: Logger): Promise<HttpListener | undefined> {
  let stopping = false;
  const router = new Router();
  addMetricsRoutes(router, broker.metrics, () => !stopping);
  const registry = await SchemaRegistry.open(broker.topics, broker.replicas, log.child({ component: 'schema-registry' }));
  addSchemaRegistryRoutes(router, registry);
  addConsoleRoutes(router, broker, registry);
  if (broker.config.faultsEnable) addFaultRoutes(router, broker.faults);
  const auth = new BasicAuth(broker.config.listeners, broker.scramCredentials);
  let listener: HttpListener;
  try {
    listener = await startHttpListener({ host: config.host, port: config.port, router, auth, log });
  } catch (err) {
    if (config.required || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    log.warn({ host: config.host, port: config.port }, 'HTTP port is in use: no console, /metrics or schema registry (set --http-port)');
    return undefined;
  }
  log.info({ url: listener.url, auth: auth.required }, 'HTTP listener started');
  if (broker.config.faultsEnable && !auth.required && !isLoopback(config.host)) {
    log.warn({ host: config.host }, 'fault injection routes (/admin/faults) are open without credentials on a non-loopback address');
  }
  return {
    ...listener,
    close: async () => {
      stopping = true;
      await listener.close();
    },
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
