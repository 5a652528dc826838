/**
 * npm run perf:server — what does the built-in server cost over onnxruntime itself?
 *
 * A small MLP (layers 2, hidden 64, inputShape [64]) is compiled with compileModel
 * into a temp cache. This process is pinned to CPU 0, the server child (spawnServer)
 * to CPU 1, both with one intra-op thread.
 * - http_overhead_p50_ms: p50 of single-stream (concurrency 1) requests via runLoad
 *   against spawnServer, minus p50 of in-process InferenceSession.run on the same
 *   batch-1 input (measured in this process just before and after the HTTP run).
 * - batching_efficiency: server throughput with dynamic batching (maxBatchSize 8,
 *   maxQueueDelayMs 1) saturated at concurrency 32, batch-1 requests, over in-process
 *   offline throughput of session.run on batch-8 tensors back to back (this process moved to the
 *   server's core for it, so both sides run on one core); both in inferences/s.
 *   Measured on a compute-bound MLP (layers 6, hidden 2048: a batch-8 run takes milliseconds),
 *   because on the tiny model a batch runs in microseconds and the ratio measures per-request
 *   HTTP/JSON cost instead of batching; that figure is printed too (batching_efficiency_small_model).
 * Both comparisons alternate short rounds (in-process, then HTTP; offline, saturated server, offline again) on one server
 * each, ROUNDS at least and more (up to MAX_ROUNDS) while a side's rounds spread wide; the figures are medians of
 * the per-round figures, with their spread, the host's noise and the quietest round's figure beside them
 * (perf/host-noise.ts, perf/noise-policy.ts), and the server's busy share under the saturating load.
 * Prints key=value lines last; never asserts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { compileModel } from '../activities/compile';
import { buildInferBody, fetchModelMetadata, runLoad } from '../activities/loadgen';
import { spawnServer } from '../activities/serve/server-process';
import { CLIENT_CPU, SERVER_CPU, TASKSET, fmt, log, median, percentile, pinSelf, printKeys, repinSelf } from './common';
import { NoiseMeter, ProcessBusy, withNoise } from './host-noise';
import { MAX_SPREAD, limitVerdict, needMoreRounds, noiseKeys, quietestRound, type ServerShare } from './noise-policy';

const LAYERS = Number(process.env.PERF_LAYERS ?? 2);
const HIDDEN = Number(process.env.PERF_HIDDEN ?? 64);
const BATCH_LAYERS = Number(process.env.PERF_BATCH_LAYERS ?? 6);
const BATCH_HIDDEN = Number(process.env.PERF_BATCH_HIDDEN ?? 2048);
const INPUT = 64;
const BATCH = 8;
const CONCURRENCY = 32;
/** Measured time of one HTTP round (after its own warm-up). */
const HTTP_DURATION_MS = Number(process.env.PERF_DURATION_S ?? 2) * 1000;
const HTTP_WARMUP_MS = 300;
/** In-process time of one round (after 200 warm-up runs). */
const INPROC_MS = 1000;
const ROUNDS = Number(process.env.PERF_ROUNDS ?? 5);
/** Saturated load on the batching server before its first round. */
const BATCH_WARMUP_MS = Number(process.env.PERF_BATCH_WARMUP_S ?? 10) * 1000;
const MAX_ROUNDS = Math.max(ROUNDS, Number(process.env.PERF_MAX_ROUNDS ?? 9));

/** One round's figure with the host's noise meanwhile. */
interface Round {
  value: number;
  stealPct: number | null;
  /** Mean runnable tasks on the host over the round (procs_running). */
  load: number | null;
}

async function inProcessLatencies(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, ms: number): Promise<number[]> {
  for (let i = 0; i < 200; i++) await session.run(feeds); // warm-up
  const out: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t = performance.now();
    await session.run(feeds);
    out.push(performance.now() - t);
  }
  return out;
}

function randomInput(rows: number): Float32Array {
  const a = new Float32Array(rows * INPUT);
  for (let i = 0; i < a.length; i++) a[i] = Math.sin(i) * 0.5;
  return a;
}

/** In-process batch-8 inferences/s, session.run back to back for INPROC_MS. */
async function offlineRate(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Promise<number> {
  let runs = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < INPROC_MS) {
    await session.run(feeds);
    runs++;
  }
  return (runs * BATCH * 1000) / (performance.now() - t0);
}

/** offlineRate with this process moved to the server's core (idle then), and this process's busy share meanwhile. */
async function offlineOnServerCore(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Promise<{ rate: number; busyPct: number }> {
  const moved = repinSelf(SERVER_CPU);
  try {
    const self = new ProcessBusy(process.pid).start();
    const rate = await offlineRate(session, feeds);
    return { rate, busyPct: self.stop().busyPct };
  } finally {
    if (moved) repinSelf(CLIENT_CPU);
  }
}

/**
 * Saturated server throughput with dynamic batching vs in-process batch-8 runs back to back, inferences/s,
 * alternating rounds (`minRounds` at least; more while either side spreads wide). Per round: efficiency, and the
 * server process's busy share while the load ran (below SERVER_BUSY_PCT the load generator, not the server, was
 * the limit).
 */
async function batchingEfficiency(
  modelPath: string, modelName: string, session: ort.InferenceSession, inputName: string, minRounds: number, maxRounds: number,
): Promise<{ saturated: number[]; offline: number[]; efficiency: Round[]; perCpu: number[]; clientCore: number[]; serverShare: ServerShare[]; meanBatch: number }> {
  const srv = await spawnServer({ modelPath, modelName, instances: 1, intraOpThreads: 1, interOpThreads: 1, cpuList: SERVER_CPU, batching: { maxBatchSize: BATCH, maxQueueDelayMs: 1 } });
  const feedsB = { [inputName]: new ort.Tensor('float32', randomInput(BATCH), [BATCH, INPUT]) };
  for (let i = 0; i < 20; i++) await session.run(feedsB);
  const saturated: number[] = [];
  const offline: number[] = [];
  const efficiency: Round[] = [];
  const serverShare: ServerShare[] = [];
  const perCpu: number[] = [];
  const clientCore: number[] = [];
  let rows = 0;
  let batches = 0;
  try {
    const body = Buffer.from(buildInferBody(await fetchModelMetadata(srv.url, modelName), 1, 1));
    // The server's JIT warms up under this load for seconds (at ~1k req/s its request path reaches V8's optimising
    // tiers slowly; until then TurboFan jobs take ~7 % of the core and the front end ~30 % more per request), so it
    // runs saturated once before the rounds, as a benchmark warms a server up before timing it.
    const warm = await runLoad({ baseUrl: srv.url, modelName, body, mode: 'concurrency', concurrency: CONCURRENCY, warmupMs: 0, durationMs: BATCH_WARMUP_MS, maxDurationMs: BATCH_WARMUP_MS, seed: 1 });
    log(`${modelName}: server warm-up ${fmt(BATCH_WARMUP_MS / 1000, 0)} s saturated, ${fmt(warm.throughput, 0)} inf/s`);
    for (let i = 0; needMoreRounds([saturated, offline], { minRounds, maxRounds, maxSpread: MAX_SPREAD }); i++) {
      const { value: r, noise } = await withNoise(async () => {
        // Offline on the server's core (idle then) just before and just after the saturated window, averaged:
        // the host's compute rate drifts on a scale of seconds (the batch-8 rate moved 1,023–1,492 inf/s between
        // rounds of one run), and a bracket cancels a steady drift that one side measured alone would not.
        const before = await offlineOnServerCore(session, feedsB);
        const busy = new ProcessBusy(srv.pid);
        await srv.resetStats();
        const sat = await runLoad({
          baseUrl: srv.url, modelName, body, mode: 'concurrency', concurrency: CONCURRENCY,
          warmupMs: 500, durationMs: HTTP_DURATION_MS, maxDurationMs: HTTP_DURATION_MS, seed: 1,
          onWindowStart: () => void busy.start(),
        });
        const share = busy.stop();
        const stats = await srv.stats();
        // Offline on the server's core, so both sides of the ratio run on one core: on a shared host the two cores
        // are busy with other jobs in different measure. Also on this process's own core, as before, for comparison
        // (batching_efficiency_client_core).
        const after = await offlineOnServerCore(session, feedsB);
        const offOnClientCore = await offlineRate(session, feedsB);
        const off = (before.rate + after.rate) / 2;
        const selfBusyPct = (before.busyPct + after.busyPct) / 2;
        return { sat, share, selfBusyPct, stats, off, offOnClientCore, offBefore: before.rate, offAfter: after.rate };
      });
      saturated.push(r.sat.throughput);
      offline.push(r.off);
      clientCore.push(r.sat.throughput / r.offOnClientCore);
      serverShare.push(r.share);
      efficiency.push({ value: r.sat.throughput / r.off, stealPct: noise.stealPct, load: noise.runnableMean });
      // Per CPU-second on each side: what each would do with its core to itself (the host's other tasks divided out).
      perCpu.push((r.sat.throughput / (r.share.busyPct / 100)) / (r.off / (r.selfBusyPct / 100)));
      if (r.stats.batches && r.stats.inferences !== null) {
        rows += r.stats.inferences;
        batches += r.stats.batches;
      }
      log(
        `${modelName} round ${i + 1}: saturated (c=${CONCURRENCY}, max batch ${BATCH}) ${fmt(r.sat.throughput, 0)} inf/s, p50 ${fmt(r.sat.latency.p50Ms ?? NaN)} ms, ` +
          `errors ${r.sat.errors}, loadgen cpu ${fmt(r.sat.loadgenCpuPct ?? NaN, 0)}%, server busy ${fmt(r.share.busyPct, 0)}% wait ${fmt(r.share.waitPct ?? NaN, 0)}%, batches ${JSON.stringify(r.stats.batchSizeCounts)}, ` +
          `compute mean ${fmt(r.stats.computeTimeUs.mean ?? NaN, 0)} us; offline batch-${BATCH} on the server's core ${fmt(r.off, 0)} inf/s (before ${fmt(r.offBefore, 0)}, after ${fmt(r.offAfter, 0)}; this process busy ${fmt(r.selfBusyPct, 0)}%), on the client's ${fmt(r.offOnClientCore, 0)}; ` +
          `efficiency ${fmt(r.sat.throughput / r.off)} | steal ${fmt(noise.stealPct ?? NaN, 1)}% runnable ${fmt(noise.runnableMean ?? NaN, 1)} load ${fmt(noise.loadAvgMax ?? NaN, 2)}`,
      );
    }
  } finally {
    await srv.stop();
  }
  return { saturated, offline, efficiency, perCpu, clientCore, serverShare, meanBatch: batches ? rows / batches : NaN };
}

/** Single stream: in-process p50 and HTTP p50 (concurrency 1, no batching) in alternating rounds on one server. */
async function httpOverhead(artifact: { path: string; modelName: string }, session: ort.InferenceSession, feeds1: Record<string, ort.Tensor>): Promise<{ inproc: number[]; http: number[]; overhead: Round[] }> {
  const srv = await spawnServer({ modelPath: artifact.path, modelName: artifact.modelName, instances: 1, intraOpThreads: 1, interOpThreads: 1, cpuList: SERVER_CPU });
  const inproc: number[] = [];
  const http: number[] = [];
  const overhead: Round[] = [];
  try {
    const body = Buffer.from(buildInferBody(await fetchModelMetadata(srv.url, artifact.modelName), 1, 1));
    for (let i = 0; needMoreRounds([inproc, http], { minRounds: ROUNDS, maxRounds: MAX_ROUNDS, maxSpread: MAX_SPREAD }); i++) {
      const { value: r, noise } = await withNoise(async () => {
        const local = percentile(await inProcessLatencies(session, feeds1, INPROC_MS), 50);
        const h = await runLoad({ baseUrl: srv.url, modelName: artifact.modelName, body, mode: 'concurrency', concurrency: 1, warmupMs: HTTP_WARMUP_MS, durationMs: HTTP_DURATION_MS, maxDurationMs: HTTP_DURATION_MS, seed: 1 });
        return { local, h };
      });
      const httpP50 = r.h.latency.p50Ms ?? NaN;
      inproc.push(r.local);
      http.push(httpP50);
      overhead.push({ value: httpP50 - r.local, stealPct: noise.stealPct, load: noise.runnableMean });
      log(
        `single stream round ${i + 1}: in-process p50 ${fmt(r.local, 4)} ms; HTTP p50 ${fmt(httpP50, 4)} ms p99 ${fmt(r.h.latency.p99Ms ?? NaN)} ms ` +
          `(n=${r.h.ok}, errors ${r.h.errors}); overhead ${fmt(httpP50 - r.local, 4)} ms | steal ${fmt(noise.stealPct ?? NaN, 1)}% runnable ${fmt(noise.runnableMean ?? NaN, 1)} load ${fmt(noise.loadAvgMax ?? NaN, 2)}`,
      );
    }
  } finally {
    await srv.stop();
  }
  return { inproc, http, overhead };
}

const quietestValue = (rounds: Round[]): number => {
  const q = quietestRound(rounds);
  return q >= 0 ? rounds[q].value : NaN;
};

async function main(): Promise<void> {
  if (await pinSelf(CLIENT_CPU)) return;
  log(`taskset=${TASKSET ?? 'none (unpinned)'} this process cpu=${CLIENT_CPU} server cpu=${SERVER_CPU}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'servebench-perf-server-'));
  const meter = new NoiseMeter().start();
  try {
    const artifact = await compileModel(
      {
        model: { generate: { family: 'mlp', layers: LAYERS, hidden: HIDDEN, inputShape: [INPUT], dtype: 'float32', seed: 1 } },
        graphOptimization: 'all',
      },
      { cacheDir: path.join(tmp, 'cache') },
    );
    const inputName = artifact.inputs[0].name;
    log(`model ${artifact.modelName} at ${artifact.path} inputs ${JSON.stringify(artifact.inputs)}`);

    const session = await ort.InferenceSession.create(artifact.path, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
    const feeds1 = { [inputName]: new ort.Tensor('float32', randomInput(1), [1, INPUT]) };

    // 1. Single stream: in-process and HTTP, alternating rounds.
    const single = await httpOverhead(artifact, session, feeds1);

    // 2. Saturated with dynamic batching vs offline batch-8 in-process, on the small (one round, context) and on
    // the compute-bound model (the figure).
    const small = await batchingEfficiency(artifact.path, artifact.modelName, session, inputName, 1, 1);
    const bigArtifact = await compileModel(
      { model: { generate: { family: 'mlp', layers: BATCH_LAYERS, hidden: BATCH_HIDDEN, inputShape: [INPUT], dtype: 'float32', seed: 1 } }, graphOptimization: 'all' },
      { cacheDir: path.join(tmp, 'cache') },
    );
    const bigSession = await ort.InferenceSession.create(bigArtifact.path, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
    const big = await batchingEfficiency(bigArtifact.path, bigArtifact.modelName, bigSession, bigArtifact.inputs[0].name, ROUNDS, MAX_ROUNDS);
    await bigSession.release();
    await session.release();
    const noise = meter.stop();
    const overheads = single.overhead.map((r) => r.value);
    const efficiencies = big.efficiency.map((r) => r.value);
    const share = { busyPct: median(big.serverShare.map((x) => x.busyPct)), waitPct: median(big.serverShare.map((x) => x.waitPct ?? NaN)) };
    const limit = limitVerdict({ loadgen: { busyPct: share.busyPct, waitPct: Number.isFinite(share.waitPct) ? share.waitPct : null } });

    printKeys({
      model: `${artifact.modelName}_in${INPUT}`,
      pinned: TASKSET ? `client:${CLIENT_CPU},server:${SERVER_CPU}` : 'no',
      single_stream_rounds: overheads.length,
      inproc_p50_ms: median(single.inproc),
      http_p50_ms: median(single.http),
      http_overhead_p50_ms_quietest: quietestValue(single.overhead),
      http_overhead_p50_ms_best: Math.min(...overheads),
      batching_model: `${bigArtifact.modelName}_in${INPUT}`,
      batching_rounds: efficiencies.length,
      saturated_inf_per_s: median(big.saturated),
      server_mean_batch: big.meanBatch,
      server_busy_pct: share.busyPct,
      server_wait_pct: share.waitPct,
      batching_limit: limit.limit,
      offline_inf_per_s: median(big.offline),
      batching_efficiency_small_model: small.efficiency[0]?.value ?? NaN,
      batching_efficiency_quietest: quietestValue(big.efficiency),
      batching_efficiency_best: Math.max(...efficiencies),
      batching_efficiency_per_cpu: median(big.perCpu),
      batching_efficiency_client_core: median(big.clientCore),
      ...noiseKeys(noise, { http_overhead_p50_ms: overheads, batching_efficiency: efficiencies }),
      http_overhead_p50_ms: median(overheads),
      batching_efficiency: median(efficiencies),
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
