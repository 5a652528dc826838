/**
 * npm run perf:loadgen — how fast is servebench's load generator?
 *
 * 1. Closed loop, max req/s on one core: servebench's runLoad (perf/loadgen-worker,
 *    its own process pinned to CPU 0) vs autocannon (child process pinned to CPU 0),
 *    same connections, same duration, same POST body, against the same trivial
 *    node:http server (child process pinned to CPU 1). Alternated ROUNDS times;
 *    medians compared.
 * 2. Open loop: servebench Poisson at 2,000 req/s for 10 s against the same server:
 *    achieved-rate error and send-lag p99.
 * Prints key=value lines last; never asserts.
 */
import * as path from 'node:path';
import { buildInferBody } from '../activities/loadgen';
import { CLIENT_CPU, SERVER_CPU, TASKSET, REPO_ROOT, TRIVIAL_MODEL, fmt, log, median, perfScript, pinned, printKeys, run, startChild, stopChild } from './common';

const CONNECTIONS = Number(process.env.PERF_CONNECTIONS ?? 32);
const DURATION_S = Number(process.env.PERF_DURATION_S ?? 4);
const ROUNDS = Number(process.env.PERF_ROUNDS ?? 5);
const OPEN_RATE = 2000;
const OPEN_DURATION_S = 10;

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

async function autocannon(url: string, body: string): Promise<{ rps: number; p50: number; errors: number }> {
  const bin = path.join(REPO_ROOT, 'node_modules', 'autocannon', 'autocannon.js');
  const [cmd, args] = pinned(CLIENT_CPU, process.execPath, [
    bin, '-c', String(CONNECTIONS), '-p', '1', '-d', String(DURATION_S), '-m', 'POST',
    '-H', 'content-type=application/json', '-b', body, '--json', '--no-progress',
    `${url}/v2/models/${TRIVIAL_MODEL}/infer`,
  ]);
  const r = await run(cmd, args, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`autocannon failed (${r.code}): ${r.stderr.slice(-2000)}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    '2xx': number; non2xx: number; errors: number; timeouts: number; duration: number; latency: { p50: number };
  };
  return { rps: j['2xx'] / j.duration, p50: j.latency.p50, errors: j.errors + j.non2xx + j.timeouts };
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
  try {
    const sb: number[] = [];
    const ac: number[] = [];
    const sbP50: number[] = [];
    const acP50: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate which goes first so drift (thermal, other jobs) hits both alike.
      const order = i % 2 === 0 ? ['sb', 'ac'] : ['ac', 'sb'];
      for (const who of order) {
        if (who === 'sb') {
          const r = await servebench(url, body, { mode: 'concurrency', concurrency: CONNECTIONS, warmupMs: 500, durationMs: DURATION_S * 1000 });
          sb.push(r.throughput);
          sbP50.push(r.latency.p50Ms);
          log(`round ${i + 1} servebench: ${fmt(r.throughput, 0)} req/s p50 ${fmt(r.latency.p50Ms)} ms errors ${r.errors} cpu ${fmt(r.loadgenCpuPct ?? NaN, 0)}%`);
        } else {
          const r = await autocannon(url, body);
          ac.push(r.rps);
          acP50.push(r.p50);
          log(`round ${i + 1} autocannon: ${fmt(r.rps, 0)} req/s p50 ${r.p50} ms errors ${r.errors}`);
        }
      }
    }
    const open = await servebench(url, body, { mode: 'server', rate: OPEN_RATE, warmupMs: 1000, durationMs: OPEN_DURATION_S * 1000, maxDurationMs: OPEN_DURATION_S * 1000 });
    log(`open loop ${OPEN_RATE}/s: achieved ${fmt(open.achievedRate, 1)} req/s, ok ${open.ok}, errors ${open.errors}, lag ${JSON.stringify(open.sendLag)}, p99 ${fmt(open.latency.p99Ms)} ms`);
    printKeys({
      connections: CONNECTIONS,
      duration_s: DURATION_S,
      rounds: ROUNDS,
      pinned: TASKSET ? `client:${CLIENT_CPU},server:${SERVER_CPU}` : 'no',
      servebench_rps_median: median(sb),
      autocannon_rps_median: median(ac),
      servebench_p50_ms_median: median(sbP50),
      autocannon_p50_ms_median: median(acP50),
      loadgen_vs_autocannon: median(sb) / median(ac),
      open_target_rps: OPEN_RATE,
      open_achieved_rps: open.achievedRate,
      rate_error_pct: (Math.abs(open.achievedRate - OPEN_RATE) / OPEN_RATE) * 100,
      lag_p99_ms: open.sendLag?.p99Ms ?? NaN,
    });
  } finally {
    await stopChild(child);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
