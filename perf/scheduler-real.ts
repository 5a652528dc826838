/**
 * The real-cluster half of `npm run perf:scheduler`: a small slice of the same kind of trace (sweeps arriving over
 * time, models of different sizes, one model shared by two sweeps, measurements of different lengths) run for real
 * through Temporal on this host, shaped as a node of a real cluster is: the measuring device apart from the
 * compile capacity (a GPU node compiles on its CPU). Both arms get the same two cores (0 and 1) and one device:
 * - single tier: device cpu0 = cores 0-1; every job leases it first (FIFO), compiles there without the artifact
 *   cache, then measures: the device idles through every compile, as a GPU does while its host compiles;
 * - two tier (servebench): device cpu0 = core 1; compiles run on the cluster tier on core 0 (the core no device
 *   holds) with the cache, then a device lease, shortest-expected-first with aging.
 * Ablations (once, in the middle round): two tier without the cache (a fresh cache per job), two tier with an
 * arrival-order measure queue (`two-tier-fifo`). Rounds alternate the arms' order (single first, then two first,
 * ...); each phase gets a fresh cluster name and artifact cache. JCT = the job's benchmark workflow close time −
 * its sweep's submission time. The host's noise (steal, load average) is watched over every phase.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { benchmarkWorkflow, Scheduling } from '../workflows/benchmark';
import { LEADER_QUEUE } from '../workflows/queues';
import type { sweepWorkflow } from '../workflows/sweep';
import { installWorkerLogging } from '../workers/logging';
import { fmt, median } from './common';
import { NoiseMeter, type NoiseReading } from './host-noise';
import { noiseVerdict } from './noise-policy';
import { startArmWorkers } from './scheduler-workers';
import { startPerfTemporal, type PerfTemporal } from './temporal';

/** Rounds of the single-tier / two-tier pair (the ratio is their median); PERF_SCHEDULER_ROUNDS. */
const ROUNDS = Number(process.env.PERF_SCHEDULER_ROUNDS ?? 3);
/** PERF_SCHEDULER_ABLATIONS=0 skips the two ablation phases. */
const ABLATIONS = process.env.PERF_SCHEDULER_ABLATIONS !== '0';

interface Arm {
  key: string;
  scheduling: Scheduling;
  devices: string[];
  cache: boolean;
}

/**
 * The single tier's device: both cores (default), or PERF_SCHEDULER_SINGLE_DEVICE=cpu0=1 for the same one-core
 * device as two tier with core 0 left idle (a GPU node's single tier leaves its CPU idle while it measures).
 */
const SINGLE: Arm = { key: 'single-tier', scheduling: 'single-tier', devices: [process.env.PERF_SCHEDULER_SINGLE_DEVICE ?? 'cpu0=0-1'], cache: true };
const TWO: Arm = { key: 'two-tier', scheduling: 'two-tier', devices: ['cpu0=1'], cache: true };
const NO_CACHE: Arm = { key: 'two-tier-no-cache', scheduling: 'two-tier', devices: ['cpu0=1'], cache: false };
const FIFO: Arm = { key: 'two-tier-fifo', scheduling: 'two-tier-fifo', devices: ['cpu0=1'], cache: true };

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

interface Phase {
  jct: number[];
  noise: NoiseReading;
}

async function phase(temporal: PerfTemporal, arm: Arm, round: number, home: string): Promise<Phase> {
  const cluster = `real-${arm.key}-r${round}`;
  const local = await startArmWorkers({
    target: { address: temporal.address, namespace: 'default' },
    cluster,
    node: 'perfnode',
    devices: arm.devices,
    cache: arm.cache,
    resultsFile: join(home, `${cluster}.duckdb`),
    cacheDir: join(home, `artifacts-${cluster}`),
  });
  const { client } = temporal;
  const watch = new NoiseMeter().start();
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
          args: [{ configYaml: configYaml(id, cluster, t), scheduling: arm.scheduling }],
        });
        const result = await handle.result();
        return { submitted, result };
      }),
    );
    const jct: number[] = [];
    // Where the device time went: compiles that ran (a cache hit takes no core) and measurements (server start to end).
    let compiles = 0;
    let compileS = 0;
    let measureS = 0;
    const span = (from: string, to: string) => (new Date(to).getTime() - new Date(from).getTime()) / 1000;
    for (const { submitted, result } of sweeps) {
      for (const j of result.jobs) {
        if (j.status !== 'completed') throw new Error(`${j.jobId} ${j.status}: ${j.error}`);
        const handle = client.workflow.getHandle<typeof benchmarkWorkflow>(j.jobId);
        const d = await handle.describe();
        jct.push((d.closeTime!.getTime() - submitted) / 1000);
        const outcome = await handle.result();
        if (outcome.compile && (outcome.compile.cores?.length ?? 0) > 0) {
          compiles++;
          compileS += span(outcome.compile.startedAt, outcome.compile.finishedAt);
        }
        if (outcome.measure) measureS += span(outcome.measure.serveStartedAt, outcome.measure.finishedAt);
      }
    }
    const noise = watch.stop();
    say(
      `round ${round} ${arm.key} (devices ${arm.devices.join(' ')}): ${jct.length} jobs, makespan ${((Date.now() - t0) / 1000).toFixed(1)} s, ` +
        `mean JCT ${mean(jct).toFixed(2)} s; ${compiles} compiles (${compileS.toFixed(1)} s), measurements ${measureS.toFixed(1)} s; load average ${noise.loadAvgMax !== null ? `${fmt(noise.loadAvgMin ?? NaN, 1)}-${fmt(noise.loadAvgMax, 1)}` : 'n/a'}, steal ${noise.stealPct === null ? 'n/a' : `${fmt(noise.stealPct, 1)} %`}`,
    );
    return { jct, noise };
  } finally {
    watch.stop();
    await local.stop();
  }
}

export async function realComparison(): Promise<{ lines: string[] } | null> {
  if (process.env.PERF_SCHEDULER_REAL === '0') return null;
  if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`PERF_SCHEDULER_ROUNDS=${process.env.PERF_SCHEDULER_ROUNDS}: expected a whole number of rounds, at least 1`);
  const home = mkdtempSync(join(tmpdir(), 'sb-perf-sched-'));
  installWorkerLogging(join(home, 'logs'), 'WARN');
  const temporal = await startPerfTemporal(home);
  say(`real cluster: Temporal dev server on ${temporal.address}; one node, cores 0-1: single tier measures on ${SINGLE.devices[0]} and compiles there, two tier measures on cpu0=1 and compiles on core 0; ${ROUNDS} rounds${ABLATIONS ? ' + 2 ablations' : ''}`);
  const watch = new NoiseMeter().start();
  const single: number[] = [];
  const two: number[] = [];
  const ratios: number[] = [];
  const ablation = new Map<string, { jct: number; ratio: number }>();
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const singleFirst = round % 2 === 1;
      const middle = round === Math.ceil(ROUNDS / 2) && ABLATIONS;
      const order = singleFirst ? [SINGLE, TWO] : [TWO, SINGLE];
      // Between the pair, so the round's own single tier is measured next to them.
      if (middle) order.splice(1, 0, NO_CACHE, FIFO);
      const got = new Map<string, number>();
      for (const arm of order) got.set(arm.key, mean((await phase(temporal, arm, round, home)).jct));
      const s = got.get(SINGLE.key)!;
      const t = got.get(TWO.key)!;
      single.push(s);
      two.push(t);
      ratios.push(s / t);
      say(`round ${round}: real_jct_ratio ${(s / t).toFixed(3)}`);
      for (const arm of [NO_CACHE, FIFO]) {
        const a = got.get(arm.key);
        if (a !== undefined) ablation.set(arm.key, { jct: a, ratio: s / a });
      }
    }
    const noise = watch.stop();
    // The script itself keeps about 2 tasks runnable (a measuring device, a compile): judge the host's load with
    // perf/noise-policy.ts's thresholds, as every perf script does.
    const verdict = noiseVerdict(noise, { real_jct_ratio: ratios });
    if (verdict.noisy) say(`the host was busy (${verdict.reasons.join('; ')}): the rounds competed with other work for their cores`);
    const lines = [
      `real_jobs=${TRACE.reduce((n, t) => n + t.concurrency.length, 0)}`,
      `real_rounds=${ROUNDS}`,
      `real_single_tier_mean_jct_s=${median(single).toFixed(2)}`,
      `real_two_tier_mean_jct_s=${median(two).toFixed(2)}`,
    ];
    const nc = ablation.get(NO_CACHE.key);
    const ff = ablation.get(FIFO.key);
    if (nc) lines.push(`real_two_tier_no_cache_mean_jct_s=${nc.jct.toFixed(2)}`, `real_no_cache_jct_ratio=${nc.ratio.toFixed(3)}`);
    if (ff) lines.push(`real_two_tier_fifo_mean_jct_s=${ff.jct.toFixed(2)}`, `real_fifo_jct_ratio=${ff.ratio.toFixed(3)}`);
    lines.push(
      `real_host_steal_pct=${fmt(noise.stealPct ?? NaN, 2)}`,
      `real_host_loadavg_min=${fmt(noise.loadAvgMin ?? NaN, 2)}`,
      `real_host_loadavg_max=${fmt(noise.loadAvgMax ?? NaN, 2)}`,
      `real_host_cores=${noise.cores}`,
      `real_host_noisy=${verdict.noisy ? 'yes' : 'no'}`,
      `real_host_noisy_reasons=${JSON.stringify(verdict.reasons.join('; '))}`,
      `real_jct_ratio_rounds=${ratios.map((r) => r.toFixed(3)).join(',')}`,
      `real_jct_ratio_min=${Math.min(...ratios).toFixed(3)}`,
      `real_jct_ratio_max=${Math.max(...ratios).toFixed(3)}`,
      `real_jct_ratio=${median(ratios).toFixed(3)}`,
    );
    return { lines };
  } finally {
    watch.stop();
    await temporal.stop();
    if (process.env.PERF_KEEP) say(`kept ${home}`);
    else rmSync(home, { recursive: true, force: true });
  }
}
