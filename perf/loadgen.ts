/**
 * npm run perf:loadgen — how fast is servebench's load generator?
 *
 * 1. Closed loop, max req/s on one core: servebench's runLoad (perf/loadgen-worker,
 *    its own process pinned to CPU 0) vs autocannon (its JS API in perf/autocannon-worker,
 *    pinned to CPU 0; each reports the CPU share it used, so req/s per CPU-second too),
 *    same connections, same duration, same POST body, against the same trivial
 *    node:http server (child process pinned to CPU 1). Alternated (ABBA) for ROUNDS
 *    rounds, and more (up to MAX_ROUNDS) while either side's rounds spread wide;
 *    medians compared, each round's ratio and the quietest round's printed beside.
 * 2. Open loop: servebench Poisson at 2,000 req/s, OPEN_ROUNDS runs of 5 s against the
 *    same server: achieved-rate error and send-lag p99 (median, spread, quietest run).
 * Host noise (CPU steal, load average) is measured over each round and the whole run
 * (perf/host-noise.ts) and judged by perf/noise-policy.ts. Prints key=value lines last;
 * never asserts.
 */
import * as http from 'node:http';
import { buildInferBody } from '../activities/loadgen';
import { CLIENT_CPU, SERVER_CPU, TASKSET, TRIVIAL_MODEL, fmt, log, median, perfScript, pinned, printKeys, run, startChild, stopChild } from './common';
import { NoiseMeter, withNoise, type NoiseReading } from './host-noise';
import { MAX_SPREAD, needMoreRounds, noiseKeys, quietestRound, roundOrder } from './noise-policy';

const CONNECTIONS = Number(process.env.PERF_CONNECTIONS ?? 32);
const DURATION_S = Number(process.env.PERF_DURATION_S ?? 4);
const ROUNDS = Number(process.env.PERF_ROUNDS ?? 5);
const MAX_ROUNDS = Math.max(ROUNDS, Number(process.env.PERF_MAX_ROUNDS ?? 9));
const OPEN_RATE = 2000;
const OPEN_DURATION_S = Number(process.env.PERF_OPEN_DURATION_S ?? 5);
const OPEN_ROUNDS = Number(process.env.PERF_OPEN_ROUNDS ?? 3);

interface WorkerResult {
  throughput: number;
  achievedRate: number;
  ok: number;
  errors: number;
  latency: { p50Ms: number; p99Ms: number };
  sendLag: { p50Ms: number; p99Ms: number; maxMs: number } | null;
  loadgenCpuPct: number | null;
  verdict: unknown;
}

async function servebench(url: string, body: string, o: Record<string, unknown>): Promise<WorkerResult> {
  const opts = { baseUrl: url, modelName: TRIVIAL_MODEL, body, seed: 1, ...o };
  const [cmd, args] = pinned(CLIENT_CPU, process.execPath, [perfScript('loadgen-worker'), JSON.stringify(opts)]);
  const r = await run(cmd, args, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`loadgen-worker failed (${r.code}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as WorkerResult;
}

async function autocannon(url: string, body: string): Promise<{ rps: number; p50: number; errors: number; cpuPct: number }> {
  const opts = { url: `${url}/v2/models/${TRIVIAL_MODEL}/infer`, connections: CONNECTIONS, durationS: DURATION_S, body };
  const [cmd, args] = pinned(CLIENT_CPU, process.execPath, [perfScript('autocannon-worker'), JSON.stringify(opts)]);
  const r = await run(cmd, args, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`autocannon failed (${r.code}): ${r.stderr.slice(-2000)}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    '2xx': number; non2xx: number; errors: number; timeouts: number; duration: number; latency: { p50: number }; cpuPct: number;
  };
  return { rps: j['2xx'] / j.duration, p50: j.latency.p50, errors: j.errors + j.non2xx + j.timeouts, cpuPct: j.cpuPct };
}

/** The trivial server's answered count and CPU time (its /perf-stats route). */
function serverStats(url: string): Promise<{ answered: number; cpuUs: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${url}/perf-stats`, { agent: false }, (res) => {
        let b = '';
        res.setEncoding('utf8').on('data', (c: string) => (b += c));
        res.on('end', () => resolve(JSON.parse(b) as { answered: number; cpuUs: number }));
      })
      .on('error', reject);
  });
}

/** Runs one client with the server's CPU time per request it answered meanwhile (µs): what that client's requests cost the server. */
async function withServerCost<T>(url: string, fn: () => Promise<T>): Promise<{ value: T; serverUsPerReq: number }> {
  const a = await serverStats(url);
  const value = await fn();
  const b = await serverStats(url);
  return { value, serverUsPerReq: b.answered > a.answered ? (b.cpuUs - a.cpuUs) / (b.answered - a.answered) : NaN };
}

async function main(): Promise<void> {
  log(`taskset=${TASKSET ?? 'none (unpinned)'} client cpu=${CLIENT_CPU} server cpu=${SERVER_CPU}`);
  const [cmd, args] = pinned(SERVER_CPU, process.execPath, [perfScript('trivial-server')]);
  const { child, ready } = await startChild(cmd, args);
  const url = String(ready.url);
  const body = buildInferBody(
    { name: TRIVIAL_MODEL, inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }], outputs: [] },
    1,
    1,
  );
  const whole = new NoiseMeter().start();
  try {
    const sb: number[] = [];
    const ac: number[] = [];
    const sbP50: number[] = [];
    const acP50: number[] = [];
    /** Requests per CPU-second of each load generator: its per-request cost, whatever share of its core it got. */
    const sbPerCpu: number[] = [];
    const acPerCpu: number[] = [];
    /** The trivial server's CPU per request answered while each client ran, µs. */
    const sbServerUs: number[] = [];
    const acServerUs: number[] = [];
    const rounds: { ratio: number; stealPct: number | null; load: number | null }[] = [];
    for (let i = 0; needMoreRounds([sb, ac], { minRounds: ROUNDS, maxRounds: MAX_ROUNDS, maxSpread: MAX_SPREAD }); i++) {
      // Alternate which goes first so drift (thermal, other jobs) hits both alike.
      let steal = 0;
      let load = 0;
      const note = (n: NoiseReading): string => {
        steal += n.stealPct ?? NaN;
        load += n.runnableMean ?? NaN;
        return `steal ${fmt(n.stealPct ?? NaN, 1)}% runnable ${fmt(n.runnableMean ?? NaN, 1)} load ${fmt(n.loadAvgMax ?? NaN, 2)}`;
      };
      for (const who of roundOrder(['sb', 'ac'], i)) {
        if (who === 'sb') {
          const { value: { value: r, serverUsPerReq }, noise } = await withNoise(() =>
            withServerCost(url, () => servebench(url, body, { mode: 'concurrency', concurrency: CONNECTIONS, warmupMs: 500, durationMs: DURATION_S * 1000 })),
          );
          sbServerUs.push(serverUsPerReq);
          sb.push(r.throughput);
          sbP50.push(r.latency.p50Ms);
          sbPerCpu.push(r.throughput / ((r.loadgenCpuPct ?? NaN) / 100));
          log(`round ${i + 1} servebench: ${fmt(r.throughput, 0)} req/s p50 ${fmt(r.latency.p50Ms)} ms errors ${r.errors} cpu ${fmt(r.loadgenCpuPct ?? NaN, 0)}%, server ${fmt(serverUsPerReq, 1)} µs cpu/request | ${note(noise)}`);
        } else {
          const { value: { value: r, serverUsPerReq }, noise } = await withNoise(() => withServerCost(url, () => autocannon(url, body)));
          acServerUs.push(serverUsPerReq);
          ac.push(r.rps);
          acP50.push(r.p50);
          acPerCpu.push(r.rps / (r.cpuPct / 100));
          log(`round ${i + 1} autocannon: ${fmt(r.rps, 0)} req/s p50 ${r.p50} ms errors ${r.errors} cpu ${fmt(r.cpuPct, 0)}%, server ${fmt(serverUsPerReq, 1)} µs cpu/request | ${note(noise)}`);
        }
      }
      rounds.push({ ratio: sb[i] / ac[i], stealPct: Number.isFinite(steal) ? steal / 2 : null, load: Number.isFinite(load) ? load / 2 : null });
    }
    const closedNoise = whole.read();
    const quiet = quietestRound(rounds);

    const lag: number[] = [];
    const rateErr: number[] = [];
    const open: { lagP99: number; stealPct: number | null; load: number | null }[] = [];
    for (let i = 0; i < OPEN_ROUNDS; i++) {
      const { value: r, noise } = await withNoise(() =>
        servebench(url, body, { mode: 'server', rate: OPEN_RATE, warmupMs: 1000, durationMs: OPEN_DURATION_S * 1000, maxDurationMs: OPEN_DURATION_S * 1000, seed: i + 1 }),
      );
      const p99 = r.sendLag?.p99Ms ?? NaN;
      lag.push(p99);
      rateErr.push((Math.abs(r.achievedRate - OPEN_RATE) / OPEN_RATE) * 100);
      open.push({ lagP99: p99, stealPct: noise.stealPct, load: noise.runnableMean });
      log(`open loop ${OPEN_RATE}/s run ${i + 1}: achieved ${fmt(r.achievedRate, 1)} req/s, ok ${r.ok}, errors ${r.errors}, lag ${JSON.stringify(r.sendLag)}, p99 ${fmt(r.latency.p99Ms)} ms, loadgen cpu ${fmt(r.loadgenCpuPct ?? NaN, 0)}% | steal ${fmt(noise.stealPct ?? NaN, 1)}% runnable ${fmt(noise.runnableMean ?? NaN, 1)} load ${fmt(noise.loadAvgMax ?? NaN, 2)}`);
    }
    const quietOpen = quietestRound(open);
    const noise = whole.stop();
    log(`closed loop over ${rounds.length} rounds: steal ${fmt(closedNoise.stealPct ?? NaN, 1)}%, load average up to ${fmt(closedNoise.loadAvgMax ?? NaN, 2)}`);
    printKeys({
      connections: CONNECTIONS,
      duration_s: DURATION_S,
      rounds: rounds.length,
      pinned: TASKSET ? `client:${CLIENT_CPU},server:${SERVER_CPU}` : 'no',
      servebench_rps_median: median(sb),
      autocannon_rps_median: median(ac),
      servebench_p50_ms_median: median(sbP50),
      autocannon_p50_ms_median: median(acP50),
      loadgen_vs_autocannon_rounds: rounds.map((r) => fmt(r.ratio)).join(','),
      servebench_rps_per_cpu_median: median(sbPerCpu),
      autocannon_rps_per_cpu_median: median(acPerCpu),
      loadgen_vs_autocannon_per_cpu: median(sbPerCpu) / median(acPerCpu),
      server_us_per_req_servebench: median(sbServerUs),
      server_us_per_req_autocannon: median(acServerUs),
      loadgen_vs_autocannon_quietest: quiet >= 0 ? rounds[quiet].ratio : NaN,
      quietest_round_steal_pct: quiet >= 0 ? rounds[quiet].stealPct ?? NaN : NaN,
      quietest_round_runnable: quiet >= 0 ? rounds[quiet].load ?? NaN : NaN,
      open_target_rps: OPEN_RATE,
      open_duration_s: OPEN_DURATION_S,
      open_rounds: OPEN_ROUNDS,
      rate_error_pct: median(rateErr),
      lag_p99_ms_quietest: quietOpen >= 0 ? open[quietOpen].lagP99 : NaN,
      lag_p99_ms_best: Math.min(...lag),
      ...noiseKeys(noise, { servebench_rps: sb, autocannon_rps: ac, lag_p99_ms: lag }),
      loadgen_vs_autocannon: median(sb) / median(ac),
      lag_p99_ms: median(lag),
    });
  } finally {
    await stopChild(child);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
