/**
 * npm run perf:systems — the built-in server against the peer serving systems on the same model, cores and load.
 *
 * One ONNX model (an MLP, PERF_LAYERS x PERF_HIDDEN, input PERF_INPUT; default 4 x 512 x 512) is compiled once.
 * Each round starts each system in turn (the order rotating per round) pinned to the server core, with one
 * instance and one intra-op thread, and drives it from this process pinned to the client core:
 * - saturation: closed loop, PERF_CONCURRENCY (8) outstanding, PERF_DURATION_S (3 s) after 1 s of warm-up;
 * - single stream: one request at a time, as long.
 * It prints per system the medians over PERF_ROUNDS (3) rounds (more, up to PERF_MAX_ROUNDS (5), while a system's
 * rounds spread wide), the host's CPU steal and load, each system's spread between rounds and the noisy verdict
 * beside them (perf/host-noise.ts, perf/noise-policy.ts), the same ratios on the quietest round, and last:
 *   builtin_vs_best_peer_throughput = builtin's saturated req/s / the best other system's (higher is better)
 *   builtin_vs_best_peer_p50        = the best other system's single-stream p50 / builtin's (higher is better)
 * Systems that cannot start here (no .venv-systems) are skipped, and said so. Never asserts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileModel, type Artifact } from '../activities/compile';
import { encodeRequest } from '../activities/inputs/body';
import { prepareRequests } from '../activities/inputs/prepare';
import { fetchModelMetadata, runLoad, type LoadResult } from '../activities/loadgen';
import { spawnServer } from '../activities/serve/server-process';
import { startSystem } from '../activities/serve/systems/start-system';
import { parseConfig } from '../configs/load';
import type { Config } from '../configs/schema';
import { CLIENT_CPU, SERVER_CPU, TASKSET, fmt, log, median, pinSelf, printKeys } from './common';
import { NoiseMeter, withNoise } from './host-noise';
import { MAX_SPREAD, needMoreRounds, noiseKeys, quietestRound, roundOrder } from './noise-policy';

const LAYERS = Number(process.env.PERF_LAYERS ?? 4);
const HIDDEN = Number(process.env.PERF_HIDDEN ?? 512);
const INPUT = Number(process.env.PERF_INPUT ?? 512);
const CONCURRENCY = Number(process.env.PERF_CONCURRENCY ?? 8);
const DURATION_MS = Number(process.env.PERF_DURATION_S ?? 3) * 1000;
const ROUNDS = Number(process.env.PERF_ROUNDS ?? 3);
const MAX_ROUNDS = Math.max(ROUNDS, Number(process.env.PERF_MAX_ROUNDS ?? 5));
const SYSTEMS = (process.env.PERF_SYSTEMS ?? 'builtin,triton,mlserver').split(',');

interface Served {
  url: string;
  modelName: string;
  stop(): Promise<void>;
}

function servingOf(system: string): Config['serving'] {
  const yaml = `name: perf-systems
model: { generate: { family: mlp, layers: 1, hidden: 8, inputShape: [8] } }
serving: { system: ${system}, instances: 1, intraOpThreads: 1, interOpThreads: 1 }
workload: { mode: concurrency, concurrency: 1 }
`;
  return parseConfig(yaml, 'perf-systems').serving;
}

async function serve(system: string, artifact: Artifact): Promise<Served> {
  if (system === 'builtin') {
    const s = await spawnServer({ modelPath: artifact.path, modelName: artifact.modelName, instances: 1, intraOpThreads: 1, interOpThreads: 1, cpuList: SERVER_CPU });
    return { url: s.url, modelName: artifact.modelName, stop: () => s.stop() };
  }
  const s = await startSystem(servingOf(system), artifact, SERVER_CPU);
  return { url: s.url, modelName: s.modelName, stop: () => s.stop() };
}

async function drive(url: string, modelName: string, mode: 'concurrency' | 'single-stream'): Promise<LoadResult> {
  const meta = await fetchModelMetadata(url, modelName);
  const prepared = prepareRequests(meta.inputs, { batchSize: 1, seed: 1 });
  if (!prepared.requests) throw new Error(`cannot build requests for ${modelName}`);
  const bodies = prepared.requests.map((r) => encodeRequest(r, 'json'));
  return runLoad({ baseUrl: url, modelName, bodies, mode, concurrency: CONCURRENCY, warmupMs: 1000, durationMs: DURATION_MS, maxDurationMs: DURATION_MS, seed: 1 });
}

async function main(): Promise<void> {
  if (await pinSelf(CLIENT_CPU)) return;
  log(`taskset=${TASKSET ?? 'none (unpinned)'} client cpu=${CLIENT_CPU} server cpu=${SERVER_CPU} systems=${SYSTEMS.join(',')} rounds=${ROUNDS}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'servebench-perf-systems-'));
  const meter = new NoiseMeter().start();
  /** Per round: each system's figures and the round's noise (for the quietest round's ratios). */
  const rounds: { throughput: Map<string, number>; p50: Map<string, number>; stealPct: number | null; load: number | null }[] = [];
  const throughput = new Map<string, number[]>();
  const p50 = new Map<string, number[]>();
  const skipped = new Map<string, string>();
  try {
    const artifact = await compileModel(
      { model: { generate: { family: 'mlp', layers: LAYERS, hidden: HIDDEN, inputShape: [INPUT], dtype: 'float32', seed: 1 } }, graphOptimization: 'all' },
      { cacheDir: path.join(tmp, 'cache') },
    );
    log(`model ${artifact.modelName}`);
    const running = (): number[][] => SYSTEMS.filter((x) => !skipped.has(x)).map((x) => throughput.get(x) ?? []);
    for (let round = 0; needMoreRounds(running(), { minRounds: ROUNDS, maxRounds: MAX_ROUNDS, maxSpread: MAX_SPREAD }); round++) {
      const order = roundOrder(SYSTEMS, round);
      const thisRound = { throughput: new Map<string, number>(), p50: new Map<string, number>(), stealPct: null as number | null, load: null as number | null };
      const roundMeter = new NoiseMeter().start();
      for (const system of order) {
        if (skipped.has(system)) continue;
        let served: Served;
        try {
          served = await serve(system, artifact);
        } catch (e) {
          skipped.set(system, (e as Error).message.split('\n')[0]);
          log(`${system}: cannot start here, skipped: ${skipped.get(system)}`);
          continue;
        }
        try {
          const { value: r, noise } = await withNoise(async () => ({
            sat: await drive(served.url, served.modelName, 'concurrency'),
            single: await drive(served.url, served.modelName, 'single-stream'),
          }));
          const { sat, single } = r;
          (throughput.get(system) ?? throughput.set(system, []).get(system)!).push(sat.throughput);
          (p50.get(system) ?? p50.set(system, []).get(system)!).push(single.latency.p50Ms ?? NaN);
          thisRound.throughput.set(system, sat.throughput);
          thisRound.p50.set(system, single.latency.p50Ms ?? NaN);
          log(
            `round ${round + 1} ${system}: saturated ${fmt(sat.throughput, 0)} req/s (${sat.verdict.valid ? 'valid' : sat.verdict.reasons.join('; ')}), ` +
              `single-stream p50 ${fmt(single.latency.p50Ms ?? NaN)} ms | steal ${fmt(noise.stealPct ?? NaN, 1)}% runnable ${fmt(noise.runnableMean ?? NaN, 1)} load ${fmt(noise.loadAvgMax ?? NaN, 2)}`,
          );
        } finally {
          await served.stop();
        }
      }
      const n = roundMeter.stop();
      rounds.push({ ...thisRound, stealPct: n.stealPct, load: n.runnableMean });
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const noise = meter.stop();
  const keys: Record<string, string | number> = {
    model: `mlp_l${LAYERS}_h${HIDDEN}_in${INPUT}`,
    pinned: TASKSET ? `client:${CLIENT_CPU},server:${SERVER_CPU}` : 'no',
    rounds: rounds.length,
  };
  for (const [system, why] of skipped) keys[`${system}_skipped`] = why;
  for (const system of SYSTEMS) {
    if (!throughput.has(system)) continue;
    keys[`${system}_saturated_rps`] = median(throughput.get(system)!);
    keys[`${system}_single_stream_p50_ms`] = median(p50.get(system)!);
  }
  const peers = SYSTEMS.filter((s) => s !== 'builtin' && throughput.has(s));
  if (throughput.has('builtin') && peers.length) {
    const bestPeerThroughput = Math.max(...peers.map((s) => median(throughput.get(s)!)));
    const bestPeerP50 = Math.min(...peers.map((s) => median(p50.get(s)!)));
    const q = quietestRound(rounds);
    if (q >= 0) {
      const r = rounds[q];
      keys.builtin_vs_best_peer_throughput_quietest = (r.throughput.get('builtin') ?? NaN) / Math.max(...peers.map((s) => r.throughput.get(s) ?? NaN));
      keys.builtin_vs_best_peer_p50_quietest = Math.min(...peers.map((s) => r.p50.get(s) ?? NaN)) / (r.p50.get('builtin') ?? NaN);
    }
    Object.assign(keys, noiseKeys(noise, Object.fromEntries([...throughput].map(([s, xs]) => [`${s}_throughput`, xs]))));
    keys.builtin_vs_best_peer_throughput = median(throughput.get('builtin')!) / bestPeerThroughput;
    keys.builtin_vs_best_peer_p50 = bestPeerP50 / median(p50.get('builtin')!);
  } else {
    Object.assign(keys, noiseKeys(noise, Object.fromEntries([...throughput].map(([s, xs]) => [`${s}_throughput`, xs]))));
  }
  printKeys(keys);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
