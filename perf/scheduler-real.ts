/**
 * The real-cluster half of `npm run perf:scheduler`: a small slice of the same kind of trace (sweeps arriving over
 * time, models of different sizes, one model shared by two sweeps, measurements of different lengths) run for real
 * through Temporal on this host as a two-device cluster (cpu0, cpu1: one core each), once per scheduler:
 * - single tier: every job takes a device first (FIFO), compiles there without the artifact cache, then measures;
 * - two tier (servebench): compile on the cluster tier with the cache, then a device lease, shortest-expected-first
 *   with aging.
 * Each phase gets a fresh dev server-side cluster name and a fresh artifact cache. JCT = the job's benchmark
 * workflow close time − its sweep's submission time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scheduling } from '../workflows/benchmark';
import { LEADER_QUEUE } from '../workflows/queues';
import type { sweepWorkflow } from '../workflows/sweep';
import { startLocalWorkers } from '../workers/local-workers';
import { installWorkerLogging } from '../workers/logging';
import { startPerfTemporal, type PerfTemporal } from './temporal';

const MODELS: Record<string, string> = {
  // ~67M parameters: a few seconds to generate, validate and optimise, as a real model's compile takes minutes.
  large: '{ family: mlp, layers: 4, hidden: 4096, inputShape: [4096], dtype: float32, seed: 21 }',
  medium: '{ family: mlp, layers: 4, hidden: 2048, inputShape: [2048], dtype: float32, seed: 22 }',
  tiny: '{ family: mlp, layers: 2, hidden: 64, inputShape: [32], dtype: float32, seed: 23 }',
};

/** Sweeps of the real trace: arrival offset, model, measured duration, swept concurrencies. */
const TRACE = [
  { at: 0, model: 'large', duration: '2s', concurrency: [1, 2, 4] },
  { at: 1500, model: 'tiny', duration: '1s', concurrency: [1, 2, 4] },
  { at: 3000, model: 'medium', duration: '2s', concurrency: [1, 4] },
  { at: 4500, model: 'tiny', duration: '1s', concurrency: [2, 8] },
];

const say = (line: string) => process.stderr.write(`[perf] ${line}\n`);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function configYaml(name: string, cluster: string, t: (typeof TRACE)[number]): string {
  return `name: ${name}
model:
  generate: ${MODELS[t.model]}
workload: { mode: concurrency, concurrency: 1, warmup: 300ms, duration: ${t.duration} }
target: { cluster: ${cluster}, device: cpu }
sweep:
  workload.concurrency: [${t.concurrency.join(', ')}]
`;
}

async function phase(temporal: PerfTemporal, scheduling: Scheduling, home: string): Promise<number[]> {
  const cluster = `real-${scheduling}`;
  const local = await startLocalWorkers({
    target: { address: temporal.address, namespace: 'default' },
    cluster,
    node: 'perfnode',
    devices: ['cpu0', 'cpu1'],
    resultsFile: join(home, `${scheduling}.duckdb`),
    cacheDir: join(home, `artifacts-${scheduling}`),
  });
  const { client } = temporal;
  try {
    const t0 = Date.now();
    const sweeps = await Promise.all(
      TRACE.map(async (t, i) => {
        await new Promise((r) => setTimeout(r, Math.max(0, t0 + t.at - Date.now())));
        const id = `${cluster}-s${i}`;
        const submitted = Date.now();
        const handle = await client.workflow.start<typeof sweepWorkflow>('sweepWorkflow', {
          taskQueue: LEADER_QUEUE,
          workflowId: id,
          args: [{ configYaml: configYaml(id, cluster, t), scheduling }],
        });
        const result = await handle.result();
        return { submitted, result };
      }),
    );
    const jct: number[] = [];
    for (const { submitted, result } of sweeps) {
      for (const j of result.jobs) {
        if (j.status !== 'completed') throw new Error(`${j.jobId} ${j.status}: ${j.error}`);
        const d = await client.workflow.getHandle(j.jobId).describe();
        jct.push((d.closeTime!.getTime() - submitted) / 1000);
      }
    }
    say(`${scheduling}: ${jct.length} jobs, makespan ${((Date.now() - t0) / 1000).toFixed(1)} s, mean JCT ${mean(jct).toFixed(2)} s`);
    return jct;
  } finally {
    await local.stop();
  }
}

export async function realComparison(): Promise<{ lines: string[] } | null> {
  if (process.env.PERF_SCHEDULER_REAL === '0') return null;
  const home = mkdtempSync(join(tmpdir(), 'sb-perf-sched-'));
  installWorkerLogging(join(home, 'logs'), 'WARN');
  const temporal = await startPerfTemporal(home);
  say(`real cluster: Temporal dev server on ${temporal.address}, one follower with devices cpu0, cpu1`);
  try {
    const single = await phase(temporal, 'single-tier', home);
    const two = await phase(temporal, 'two-tier', home);
    const ratio = mean(single) / mean(two);
    return {
      lines: [
        `real_jobs=${two.length}`,
        `real_single_tier_mean_jct_s=${mean(single).toFixed(2)}`,
        `real_two_tier_mean_jct_s=${mean(two).toFixed(2)}`,
        `real_jct_ratio=${ratio.toFixed(3)}`,
      ],
    };
  } finally {
    await temporal.stop();
    if (process.env.PERF_KEEP) say(`kept ${home}`);
    else rmSync(home, { recursive: true, force: true });
  }
}
