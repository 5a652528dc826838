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
 *   offline throughput of session.run on batch-8 tensors back to back; both in inferences/s.
 *   Measured on a compute-bound MLP (layers 6, hidden 2048: a batch-8 run takes milliseconds),
 *   because on the tiny model a batch runs in microseconds and the ratio measures per-request
 *   HTTP/JSON cost instead of batching; that figure is printed too (batching_efficiency_small_model).
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
import { CLIENT_CPU, SERVER_CPU, TASKSET, fmt, log, percentile, pinSelf, printKeys } from './common';

const LAYERS = Number(process.env.PERF_LAYERS ?? 2);
const HIDDEN = Number(process.env.PERF_HIDDEN ?? 64);
const BATCH_LAYERS = Number(process.env.PERF_BATCH_LAYERS ?? 6);
const BATCH_HIDDEN = Number(process.env.PERF_BATCH_HIDDEN ?? 2048);
const INPUT = 64;
const BATCH = 8;
const CONCURRENCY = 32;
const HTTP_DURATION_MS = Number(process.env.PERF_DURATION_S ?? 8) * 1000;
const INPROC_MS = 3000;

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

/** Saturated server throughput with dynamic batching vs in-process batch-8 runs back to back, inferences/s. */
async function batchingEfficiency(modelPath: string, modelName: string, session: ort.InferenceSession, inputName: string): Promise<{ saturated: number; offline: number; meanBatch: number }> {
  const srv = await spawnServer({ modelPath, modelName, instances: 1, intraOpThreads: 1, interOpThreads: 1, cpuList: SERVER_CPU, batching: { maxBatchSize: BATCH, maxQueueDelayMs: 1 } });
  let sat;
  let stats;
  try {
    const body = Buffer.from(buildInferBody(await fetchModelMetadata(srv.url, modelName), 1, 1));
    sat = await runLoad({
      baseUrl: srv.url, modelName, body, mode: 'concurrency', concurrency: CONCURRENCY,
      warmupMs: 1000, durationMs: HTTP_DURATION_MS, maxDurationMs: HTTP_DURATION_MS, seed: 1,
    });
    stats = await srv.stats();
  } finally {
    await srv.stop();
  }
  const feedsB = { [inputName]: new ort.Tensor('float32', randomInput(BATCH), [BATCH, INPUT]) };
  for (let i = 0; i < 20; i++) await session.run(feedsB);
  let runs = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < INPROC_MS) {
    await session.run(feedsB);
    runs++;
  }
  const offline = (runs * BATCH * 1000) / (performance.now() - t0);
  const meanBatch = stats.batches && stats.inferences !== null ? stats.inferences / stats.batches : NaN;
  log(`${modelName} saturated (c=${CONCURRENCY}, max batch ${BATCH}): ${fmt(sat.throughput, 0)} inf/s, p50 ${fmt(sat.latency.p50Ms ?? NaN)} ms, errors ${sat.errors}, loadgen cpu ${fmt(sat.loadgenCpuPct ?? NaN, 0)}%; server batches ${JSON.stringify(stats.batchSizeCounts)}, compute mean ${fmt(stats.computeTimeUs.mean ?? NaN, 0)} us; offline batch-${BATCH}: ${fmt(offline, 0)} inf/s`);
  return { saturated: sat.throughput, offline, meanBatch };
}

async function main(): Promise<void> {
  if (await pinSelf(CLIENT_CPU)) return;
  log(`taskset=${TASKSET ?? 'none (unpinned)'} this process cpu=${CLIENT_CPU} server cpu=${SERVER_CPU}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'servebench-perf-server-'));
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

    // 1. Single stream: in-process, HTTP, in-process again (side by side in one run).
    const before = await inProcessLatencies(session, feeds1, INPROC_MS / 2);
    const serverOpts = { modelPath: artifact.path, modelName: artifact.modelName, instances: 1, intraOpThreads: 1, interOpThreads: 1, cpuList: SERVER_CPU };
    const srv = await spawnServer(serverOpts);
    let http1;
    try {
      const meta = await fetchModelMetadata(srv.url, artifact.modelName);
      const body = Buffer.from(buildInferBody(meta, 1, 1));
      http1 = await runLoad({ baseUrl: srv.url, modelName: artifact.modelName, body, mode: 'concurrency', concurrency: 1, warmupMs: 1000, durationMs: HTTP_DURATION_MS, maxDurationMs: HTTP_DURATION_MS, seed: 1 });
    } finally {
      await srv.stop();
    }
    const after = await inProcessLatencies(session, feeds1, INPROC_MS / 2);
    const inproc = [...before, ...after];
    const inprocP50 = percentile(inproc, 50);
    log(`single stream: in-process p50 ${fmt(inprocP50, 4)} ms (n=${inproc.length}); HTTP p50 ${fmt(http1.latency.p50Ms ?? NaN, 4)} ms p99 ${fmt(http1.latency.p99Ms ?? NaN)} ms (n=${http1.ok}, errors ${http1.errors})`);

    // 2. Saturated with dynamic batching vs offline batch-8 in-process, on the small and on the compute-bound model.
    const small = await batchingEfficiency(artifact.path, artifact.modelName, session, inputName);
    const bigArtifact = await compileModel(
      { model: { generate: { family: 'mlp', layers: BATCH_LAYERS, hidden: BATCH_HIDDEN, inputShape: [INPUT], dtype: 'float32', seed: 1 } }, graphOptimization: 'all' },
      { cacheDir: path.join(tmp, 'cache') },
    );
    const bigSession = await ort.InferenceSession.create(bigArtifact.path, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
    const big = await batchingEfficiency(bigArtifact.path, bigArtifact.modelName, bigSession, bigArtifact.inputs[0].name);
    await bigSession.release();
    await session.release();

    printKeys({
      model: `${artifact.modelName}_in${INPUT}`,
      pinned: TASKSET ? `client:${CLIENT_CPU},server:${SERVER_CPU}` : 'no',
      inproc_p50_ms: inprocP50,
      http_p50_ms: http1.latency.p50Ms ?? NaN,
      http_overhead_p50_ms: (http1.latency.p50Ms ?? NaN) - inprocP50,
      batching_model: `${bigArtifact.modelName}_in${INPUT}`,
      saturated_inf_per_s: big.saturated,
      server_mean_batch: big.meanBatch,
      offline_inf_per_s: big.offline,
      batching_efficiency_small_model: small.saturated / small.offline,
      batching_efficiency: big.saturated / big.offline,
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
