// Start-up of cluster mode: reach etcd (retrying up to creek.etcd.startup.timeout.ms, and refusing
// at once an endpoint that answers but is not etcd, a TLS handshake that fails, or http:// to an
// etcd with TLS; a wrong etcd user or password fails the first request, as a refusal naming the
// key to fix), settle the cluster id, then open the cluster's metadata store and membership. The
// cluster id lives in etcd at `<prefix>cluster-id`; the first broker to start stores its own (its
// data dir's meta.properties, else cluster.id, else a new one) and every later broker must agree
// with it. Nothing is written anywhere when a check fails. Registering the broker (once its
// listeners are bound) and campaigning are the caller's.
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import type { Logger } from 'pino';
import type { BrokerConfig } from '../../config/broker-config.js';
import type { EtcdConfig } from '../../config/etcd-config.js';
import { parseProperties } from '../../config/properties.js';
import { readIfExists } from '../../log/atomic-file.js';
import type { EtcdMetadataStore } from '../../metadata/etcd-metadata-store.js';
import { openMetadataStore } from '../../metadata/open-metadata-store.js';
import { EtcdAccessRefused, explainAccessError, tlsRefusal } from './etcd-access-errors.js';
import { createEtcdClient } from './etcd-client.js';
import { etcdGet, speaksTls, type EtcdHttpAnswer } from './etcd-http.js';
import { EtcdMembership } from './etcd-membership.js';
import { CLUSTER_ID_KEY } from './keys.js';

/** Between attempts to reach etcd at start-up. */
const PROBE_RETRY_MS = 500;
const PROBE_TIMEOUT_MS = 2000;

export interface EtcdCluster {
  clusterId: string;
  metadata: EtcdMetadataStore;
  membership: EtcdMembership;
  /** Closes the membership (deregistering), the store and the etcd client. */
  close(): Promise<void>;
}

/** An endpoint that answered, but not as etcd does: retrying will not help. */
export class NotEtcd extends Error {
  constructor(endpoint: string, answer: string) {
    super(`${endpoint} is not an etcd server (GET /version answered ${answer}); check creek.etcd.endpoints`);
    this.name = 'NotEtcd';
  }
}

export async function openEtcdCluster(config: BrokerConfig, logger: Logger): Promise<EtcdCluster> {
  const etcdConfig = config.etcd;
  if (etcdConfig === undefined) throw new Error('cluster mode needs creek.etcd.endpoints');
  const log = logger.child({ component: 'etcd' });
  const version = await reachEtcd(etcdConfig);
  log.info({ endpoints: etcdConfig.endpoints, version, prefix: etcdConfig.prefix, tls: etcdConfig.tls !== undefined, user: etcdConfig.auth?.username }, 'reached etcd');
  const client = createEtcdClient(etcdConfig.endpoints, etcdConfig);
  try {
    const etcd = client.namespace(etcdConfig.prefix);
    const clusterId = await settleClusterId(client, config, etcdConfig.prefix);
    const metadata = await openMetadataStore({ etcd }, log);
    const membership = await EtcdMembership.open(etcd, { leaseTtlMs: etcdConfig.leaseTtlMs }, log.child({ component: 'membership' }));
    return {
      clusterId,
      metadata,
      membership,
      async close() {
        await membership.close();
        await metadata.close();
        client.close();
      },
    };
  } catch (err) {
    client.close();
    throw explainAccessError(err, etcdConfig);
  }
}

/** Resolves with the etcd version of the first endpoint that answers as etcd. */
async function reachEtcd(config: EtcdConfig): Promise<string> {
  const { endpoints, startupTimeoutMs } = config;
  const deadline = Date.now() + startupTimeoutMs;
  let lastProblem = '';
  for (;;) {
    for (const endpoint of endpoints) {
      let res: EtcdHttpAnswer;
      try {
        res = await etcdGet(new URL('/version', endpoint), config.tls, PROBE_TIMEOUT_MS);
      } catch (err) {
        const e = err as Error & { code?: string };
        const refusal = tlsRefusal(endpoint, e, config);
        if (refusal !== undefined) throw refusal;
        // An etcd with TLS resets a plaintext connection.
        if (e.code === 'ECONNRESET' && endpoint.startsWith('http:') && (await speaksTls(new URL(endpoint), PROBE_TIMEOUT_MS))) {
          throw new EtcdAccessRefused(`${endpoint} is an etcd with TLS: use https:// in creek.etcd.endpoints, and set creek.etcd.ssl.truststore.location`);
        }
        lastProblem = `${endpoint}: ${e.code ?? e.message}`;
        continue;
      }
      let parsed: { etcdserver?: unknown } | undefined;
      try {
        parsed = JSON.parse(res.body) as { etcdserver?: unknown };
      } catch {
        parsed = undefined;
      }
      if (res.status === 200 && typeof parsed?.etcdserver === 'string') return parsed.etcdserver;
      throw new NotEtcd(endpoint, `${res.status} ${JSON.stringify(res.body.trim().slice(0, 80))}`);
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new Error(`cannot reach etcd at ${endpoints.join(', ')} within ${startupTimeoutMs} ms (creek.etcd.startup.timeout.ms); last: ${lastProblem}`);
    }
    await new Promise((r) => setTimeout(r, Math.min(PROBE_RETRY_MS, left)));
  }
}

/**
 * The cluster's id: the one in etcd, which the data dir and cluster.id (when set) must match; on
 * a cluster's first start, this broker's, stored in etcd unless another broker stored one first.
 */
async function settleClusterId(client: Etcd3, config: BrokerConfig, prefix: string): Promise<string> {
  const key = `${prefix}${CLUSTER_ID_KEY}`;
  const metaPath = config.storage === 'memory' ? undefined : join(config.logDir, 'meta.properties');
  const meta = metaPath === undefined ? undefined : readIfExists(metaPath);
  const inDataDir = meta === undefined ? undefined : parseProperties(meta.toString('utf8')).get('cluster.id');
  const configured = config.staticProps.has('cluster.id') ? config.clusterId : undefined;
  if (inDataDir !== undefined && configured !== undefined && inDataDir !== configured) {
    throw new Error(`The cluster id ${configured} does not match the stored cluster id ${inDataDir} in ${metaPath}`);
  }
  const own = inDataDir ?? configured ?? config.clusterId;
  let stored = await client.get(key).string();
  if (stored === null) {
    const res = await client.if(key, 'Create', '==', 0).then(client.put(key).value(own)).commit();
    if (res.succeeded) return own;
    stored = await client.get(key).string();
    if (stored === null) throw new Error(`the cluster id at ${key} in etcd vanished while starting; start again`);
  }
  if (inDataDir !== undefined && inDataDir !== stored) {
    throw new Error(`The data dir's cluster id ${inDataDir} (${metaPath}) is not the cluster's id ${stored} in etcd (${key}): this data dir belongs to another cluster`);
  }
  if (configured !== undefined && configured !== stored) {
    throw new Error(`The configured cluster.id ${configured} is not the cluster's id ${stored} in etcd (${key})`);
  }
  return stored;
}
