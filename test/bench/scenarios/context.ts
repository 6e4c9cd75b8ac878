// What every scenario gets from the runner: where the broker build is, the core split, the run
// size, where figures go, and launchers of a broker and of a cluster of broker threads that honour
// --profile.
import { join } from 'node:path';
import type { Results } from '../lib/results.js';
import { startBrokerProcess, startThreadClusterProcess, type Cores, type ServerProcess } from '../lib/processes.js';

export interface BenchContext {
  cli: string;
  cores: Cores;
  /** The broker core sets the --against produce and fetch groups compare (--compare-cores); by default just `cores.server`. */
  coreSets: readonly string[];
  /** The cores group's two-core set (--two-cores; by default `cores.server` and the generator's core). */
  twoCores: string;
  quick: boolean;
  results: Results;
  /** Write a CPU profile of every broker started into this directory. */
  profileDir: string | null;
  /** Node flags for every Creek broker started (--broker-node-args), unless a scenario gives its own. */
  brokerNodeArgs: readonly string[];
}

export type Broker = ServerProcess & { dataDir: string | null };

export function startBroker(ctx: BenchContext, name: string, opts: { memory: boolean; overrides?: Record<string, string | number>; core?: string; nodeArgs?: readonly string[] }): Promise<Broker> {
  return startBrokerProcess({
    cli: ctx.cli,
    core: opts.core ?? ctx.cores.server,
    memory: opts.memory,
    overrides: opts.overrides,
    nodeArgs: opts.nodeArgs ?? ctx.brokerNodeArgs,
    ...(ctx.profileDir ? { profileDir: join(ctx.profileDir, name) } : {}),
  });
}

/** How long a load warms up (by time, and by bytes if given) and is then measured. */
export interface LoadTiming {
  warmupMs: number;
  warmupBytes?: number;
  durationMs: number;
}

/** `creek cluster --threads` on disk: `brokers` brokers as threads of one process pinned to `core`; `port` is the first broker's. */
export function startThreadCluster(ctx: BenchContext, name: string, opts: { brokers: number; core: string }): Promise<ServerProcess & { dataDir: string }> {
  return startThreadClusterProcess({ cli: ctx.cli, nodeArgs: ctx.brokerNodeArgs, ...opts, ...(ctx.profileDir ? { profileDir: join(ctx.profileDir, name) } : {}) });
}

/** Seconds of measurement per point (after a shorter warm-up). */
export function timing(ctx: BenchContext): { warmupMs: number; durationMs: number } {
  return ctx.quick ? { warmupMs: 300, durationMs: 1000 } : { warmupMs: 500, durationMs: 2500 };
}

/**
 * The warm-up of the points the targets judge, for Creek and the ceilings alike: at least this
 * many bytes through the server before measuring (issue 17; NOTES.md on the first GiB's cost).
 */
export const TARGET_WARM_UP_BYTES = 1.5 * 1024 * 1024 * 1024;

/** `timing` with the warm-up by bytes that target points get. */
export function targetTiming(ctx: BenchContext): { warmupMs: number; warmupBytes: number; durationMs: number } {
  return { ...timing(ctx), warmupBytes: TARGET_WARM_UP_BYTES };
}

export const KIB = 1024;
export const MIB = 1024 * 1024;

export function sizeLabel(bytes: number): string {
  return bytes >= MIB ? `${bytes / MIB} MiB` : bytes >= KIB ? `${bytes / KIB} KiB` : `${bytes} B`;
}
