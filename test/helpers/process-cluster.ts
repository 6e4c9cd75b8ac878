// A Creek cluster of separate processes on a real etcd, as users run it: each broker is the `creek`
// command (--etcd --node-id --port --data-dir) in a process of its own, started one after the
// other and awaited until ready. Brokers can be killed (SIGKILL), paused (SIGSTOP) and resumed
// (SIGCONT), stopped (SIGTERM) and started again on the same port and data dir; etcd itself can be
// stopped and started. Partition state is read the way clients read it (DescribeTopicPartitions).
// Tests that use it skip when etcd is not installed (requireEtcd in etcd.ts).
import { RawClient } from './raw-client.js';
import { tempDir } from './broker.js';
import { spawnCli, type CliProcess } from './cli.js';
import type { EtcdServerOptions } from '../../src/cluster/etcd/etcd-server.js';
import { freePorts, startEtcd, type TestEtcd } from './etcd.js';
import { until } from './until.js';

const HOST = '127.0.0.1';

export interface ProcessClusterOptions {
  /** How many brokers (node ids 1..brokers). Default 3. */
  brokers?: number;
  /** creek.etcd.lease.ttl.ms for every broker. Default: Creek's default. */
  leaseTtlMs?: number;
  /** Further `--override key=value` settings for every broker. */
  overrides?: Record<string, string | number>;
  /** Settings of one broker (applied after `overrides`), e.g. the fixed ports of its further listeners. */
  overridesOf?: (nodeId: number) => Record<string, string | number>;
  /** How to run `creek` (default: the source, through tsx). */
  command?: readonly string[];
  /** etcd on https requiring client certificates (the brokers then need `creek.etcd.ssl.*` in `overrides`). */
  etcdTls?: EtcdServerOptions['tls'];
}

export interface PartitionView {
  leaderId: number;
  leaderEpoch: number;
  /** In the cluster's order (the preferred replica first). */
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface ProcessCluster {
  readonly etcd: TestEtcd;
  /** creek.etcd.prefix of the cluster's keys. */
  readonly prefix: string;
  /** Every broker's address, comma-separated. */
  readonly bootstrap: string;
  readonly nodeIds: readonly number[];
  port(nodeId: number): number;
  /** What the broker printed (stdout and stderr) in its current or last run. */
  output(nodeId: number): string;
  /** Whether the broker's process runs (paused counts as running). */
  running(nodeId: number): boolean;
  start(nodeId: number): Promise<void>;
  kill(nodeId: number): Promise<void>;
  pause(nodeId: number): void;
  resume(nodeId: number): void;
  /** SIGTERM, and waits for the exit. */
  stop(nodeId: number): Promise<void>;
  /** The controller as a running, unpaused broker reports it (DescribeCluster); undefined while none can. */
  controllerId(): Promise<number | undefined>;
  /** A partition as a running, unpaused broker describes it; undefined while none can. */
  describe(topic: string, partition?: number): Promise<PartitionView | undefined>;
  /** Waits until a broker describes the partition as `check` wants it; resolves with that view. */
  waitFor(topic: string, partition: number, check: (p: PartitionView) => boolean, what: string): Promise<PartitionView>;
  /** Kills every broker and etcd, and removes their data. */
  close(): Promise<void>;
}

export async function startProcessCluster(options: ProcessClusterOptions = {}): Promise<ProcessCluster> {
  const count = options.brokers ?? 3;
  const nodeIds = Array.from({ length: count }, (_, i) => i + 1);
  const etcd = await startEtcd(options.etcdTls === undefined ? {} : { tls: options.etcdTls });
  const root = tempDir('creek-processes-');
  const prefix = '/creek/test/';
  const ports = new Map<number, number>();
  const free = await freePorts(nodeIds.length);
  for (const [i, id] of nodeIds.entries()) ports.set(id, free[i]!);
  const procs = new Map<number, CliProcess>();
  const paused = new Set<number>();
  const outputs = new Map<number, () => string>();

  const overrides: Record<string, string | number> = {
    'creek.etcd.prefix': prefix,
    ...(options.leaseTtlMs === undefined ? {} : { 'creek.etcd.lease.ttl.ms': options.leaseTtlMs }),
    ...options.overrides,
  };
  const args = (id: number): string[] => [
    '--etcd', etcd.url, '--node-id', String(id), '--host', HOST, '--port', String(ports.get(id)), '--data-dir', `${root.path}/broker-${id}`,
    '--log-format', 'json', '--log-level', 'info',
    ...Object.entries({ ...overrides, ...options.overridesOf?.(id) }).flatMap(([k, v]) => ['--override', `${k}=${v}`]),
  ];
  const alive = (id: number): boolean => {
    const p = procs.get(id);
    return p !== undefined && p.child.exitCode === null && p.child.signalCode === null;
  };

  const start = async (id: number): Promise<void> => {
    if (alive(id)) throw new Error(`broker ${id} runs already`);
    const proc = spawnCli(args(id), {}, options.command);
    procs.set(id, proc);
    outputs.set(id, proc.output);
    await proc.waitFor(/Creek is ready/);
  };
  const signal = async (id: number, sig: NodeJS.Signals): Promise<void> => {
    const proc = procs.get(id);
    if (proc === undefined || !alive(id)) return;
    if (paused.delete(id) && sig !== 'SIGKILL') proc.child.kill('SIGCONT');
    proc.child.kill(sig);
    await proc.exited;
  };

  /** The first answer of a running, unpaused broker that `ask` accepts (undefined: ask the next). */
  const askAny = async <T>(ask: (client: RawClient) => Promise<T | undefined>): Promise<T | undefined> => {
    for (const id of nodeIds) {
      if (!alive(id) || paused.has(id)) continue;
      let client: RawClient | undefined;
      try {
        client = await RawClient.connect(HOST, ports.get(id)!);
        const answer = await ask(client);
        if (answer !== undefined) return answer;
      } catch {
        // This broker is going away: ask the next.
      } finally {
        client?.close();
      }
    }
    return undefined;
  };
  const describe = (topic: string, partition = 0): Promise<PartitionView | undefined> =>
    askAny(async (client) => {
      const res = await client.send(75, 0, { topics: [{ name: topic }], responsePartitionLimit: 1000, cursor: null });
      const p = res.topics[0]?.partitions.find((x: { partitionIndex: number }) => x.partitionIndex === partition);
      if (res.topics[0]?.errorCode !== 0 || p === undefined) return undefined;
      return { leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: [...p.replicaNodes], isr: [...p.isrNodes].sort(), offlineReplicas: [...p.offlineReplicas].sort() };
    });

  const cluster: ProcessCluster = {
    etcd,
    prefix,
    bootstrap: nodeIds.map((id) => `${HOST}:${ports.get(id)}`).join(','),
    nodeIds,
    port: (id) => ports.get(id)!,
    output: (id) => outputs.get(id)?.() ?? '',
    running: alive,
    start,
    kill: (id) => signal(id, 'SIGKILL'),
    stop: (id) => signal(id, 'SIGTERM'),
    pause(id) {
      if (!alive(id)) throw new Error(`broker ${id} is not running`);
      paused.add(id);
      procs.get(id)!.child.kill('SIGSTOP');
    },
    resume(id) {
      if (!paused.delete(id)) throw new Error(`broker ${id} is not paused`);
      procs.get(id)!.child.kill('SIGCONT');
    },
    describe,
    controllerId: () =>
      askAny(async (client) => {
        const res = await client.send(60, 0, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false });
        return res.controllerId >= 0 ? (res.controllerId as number) : undefined;
      }),
    async waitFor(topic, partition, check, what) {
      let seen: PartitionView | undefined;
      await until(async () => {
        seen = await describe(topic, partition);
        return seen !== undefined && check(seen);
      }, `${topic}-${partition}: ${what}`);
      return seen!;
    },
    async close() {
      await Promise.all(nodeIds.map((id) => signal(id, 'SIGKILL')));
      await etcd.remove();
      root.remove();
    },
  };
  try {
    // One after the other: the first broker creates the internal topics the others then follow.
    for (const id of nodeIds) await start(id);
  } catch (err) {
    const printed = nodeIds.map((id) => `--- broker ${id}:\n${cluster.output(id).slice(-3000)}`).join('\n');
    await cluster.close();
    throw new Error(`${(err as Error).message}\n${printed}`);
  }
  return cluster;
}
