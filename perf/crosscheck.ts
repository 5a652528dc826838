/**
 * npm run perf:crosscheck — does servebench measure what an independent client measures?
 *
 * The built-in server (spawnServer, MLP layers 2 hidden 64, one instance, no batching)
 * runs pinned to CPU 1. Against it, at the same fixed concurrency (4), alternately:
 * - Triton's perf_analyzer (tritonclient 2.40.0 wheel, set up by perf/setup-crosscheck.sh),
 *   JSON tensors in and out, 3 s measurement windows, pinned to CPU 0;
 *   if it cannot run, wrk (Debian) with perf/wrk-post.lua POSTing the same JSON body;
 * - servebench's runLoad (perf/loadgen-worker, pinned to CPU 0), same concurrency.
 * Medians over ROUNDS; prints the relative differences (servebench as the reference b).
 * PERF_CROSSCHECK_CLIENT=wrk forces the fallback. Prints key=value lines last; never asserts.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileModel } from '../activities/compile';
import { buildInferBody, fetchModelMetadata } from '../activities/loadgen';
import { spawnServer } from '../activities/serve/server-process';
import { CLIENT_CPU, REPO_ROOT, SERVER_CPU, TASKSET, fmt, log, median, perfScript, pinned, printKeys, run } from './common';

const CONCURRENCY = 4;
const ROUNDS = Number(process.env.PERF_ROUNDS ?? 2);
const PA_FORMAT = process.env.PERF_PA_TENSOR_FORMAT === 'binary' ? 'binary' : 'json';
const SB_DURATION_MS = 8000;
const WRK_DURATION_S = 8;

interface Measure { throughput: number; p50Ms: number }

function cudartLibDir(): string | null {
  const venvLib = path.join(REPO_ROOT, '.venv', 'lib');
  if (!existsSync(venvLib)) return null;
  for (const py of readdirSync(venvLib)) {
    const d = path.join(venvLib, py, 'site-packages', 'nvidia', 'cuda_runtime', 'lib');
    if (existsSync(path.join(d, 'libcudart.so.12'))) return d;
  }
  return null;
}

async function perfAnalyzer(url: string, model: string, inputName: string, inputDims: number[], tmp: string): Promise<Measure> {
  const bin = path.join(REPO_ROOT, '.venv', 'bin', 'perf_analyzer');
  if (!existsSync(bin)) throw new Error(`${bin} is missing (tritonclient wheel not installed)`);
  const lib = cudartLibDir();
  const csv = path.join(tmp, `pa-${Date.now()}.csv`);
  const [cmd, args] = pinned(CLIENT_CPU, bin, [
    '-m', model, '-u', url.replace(/^http:\/\//, ''), '-i', 'http',
    '--concurrency-range', String(CONCURRENCY), '--measurement-interval', '3000',
    '--shape', `${inputName}:${[1, ...inputDims].join(',')}`,
    // json (default): the same request bytes as servebench sends; binary: perf_analyzer's own default.
    '--input-tensor-format', PA_FORMAT, '--output-tensor-format', PA_FORMAT, '-f', csv,
  ]);
  const env = { ...process.env, LD_LIBRARY_PATH: [lib, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
  const r = await run(cmd, args, { env, timeoutMs: 90_000 });
  if (r.code !== 0 || !existsSync(csv)) {
    throw new Error(`perf_analyzer exited ${r.code}: ${(r.stderr + r.stdout).trim().split('\n').slice(-5).join(' | ')}`);
  }
  // Concurrency,Inferences/Second,...,p50 latency,... (latencies in µs)
  const [head, row] = readFileSync(csv, 'utf8').trim().split('\n');
  const cols = head.split(',');
  const vals = row.split(',').map(Number);
  return { throughput: vals[cols.indexOf('Inferences/Second')], p50Ms: vals[cols.indexOf('p50 latency')] / 1000 };
}

function wrkMs(s: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(s.trim());
  if (!m) return NaN;
  return Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000, m: 60000 } as Record<string, number>)[m[2]];
}

async function wrk(url: string, model: string, bodyFile: string): Promise<Measure> {
  const [cmd, args] = pinned(CLIENT_CPU, 'wrk', [
    '-t1', `-c${CONCURRENCY}`, `-d${WRK_DURATION_S}s`, '--latency', '-s', path.join(REPO_ROOT, 'perf', 'wrk-post.lua'),
    `${url}/v2/models/${encodeURIComponent(model)}/infer`,
  ]);
  const r = await run(cmd, args, { env: { ...process.env, SERVEBENCH_WRK_BODY_FILE: bodyFile }, timeoutMs: 60_000 });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  const p50 = /^\s+50%\s+(\S+)/m.exec(r.stdout);
  if (r.code !== 0 || !rps || !p50) throw new Error(`wrk exited ${r.code}: ${(r.stderr + r.stdout).slice(-500)}`);
  if (/Non-2xx/.test(r.stdout)) log(`wrk saw non-2xx responses: ${/Non-2xx.*$/m.exec(r.stdout)?.[0]}`);
  return { throughput: Number(rps[1]), p50Ms: wrkMs(p50[1]) };
}

async function servebench(url: string, model: string, body: string): Promise<Measure> {
  const opts = { baseUrl: url, modelName: model, body, seed: 1, mode: 'concurrency', concurrency: CONCURRENCY, warmupMs: 1000, durationMs: SB_DURATION_MS, maxDurationMs: SB_DURATION_MS };
  const [cmd, args] = pinned(CLIENT_CPU, process.execPath, [perfScript('loadgen-worker'), JSON.stringify(opts)]);
  const r = await run(cmd, args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`loadgen-worker failed (${r.code}): ${r.stderr.slice(-1000)}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { throughput: number; errors: number; latency: { p50Ms: number } };
  if (j.errors > 0) log(`servebench saw ${j.errors} errors`);
  return { throughput: j.throughput, p50Ms: j.latency.p50Ms };
}

async function main(): Promise<void> {
  const setup = await run('bash', [path.join(REPO_ROOT, 'perf', 'setup-crosscheck.sh')], { timeoutMs: 600_000 });
  if (setup.stderr.trim()) process.stderr.write(setup.stderr);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'servebench-perf-crosscheck-'));
  try {
    const artifact = await compileModel(
      { model: { generate: { family: 'mlp', layers: 2, hidden: 64, inputShape: [64], dtype: 'float32', seed: 1 } }, graphOptimization: 'all' },
      { cacheDir: path.join(tmp, 'cache') },
    );
    const model = artifact.modelName;
    const srv = await spawnServer({ modelPath: artifact.path, modelName: model, instances: 1, intraOpThreads: 1, interOpThreads: 1, cpuList: SERVER_CPU });
    try {
      const meta = await fetchModelMetadata(srv.url, model);
      const body = buildInferBody(meta, 1, 1);
      const bodyFile = path.join(tmp, 'body.json');
      writeFileSync(bodyFile, body);
      const input = meta.inputs[0];
      let client = process.env.PERF_CROSSCHECK_CLIENT === 'wrk' ? 'wrk' : 'perf_analyzer';
      let paError = '';
      const other = async (): Promise<Measure> => {
        if (client === 'perf_analyzer') {
          try {
            return await perfAnalyzer(srv.url, model, input.name, input.shape.slice(1), tmp);
          } catch (e) {
            paError = (e as Error).message;
            log(`perf_analyzer cannot run here: ${paError}; falling back to wrk`);
            client = 'wrk';
          }
        }
        return wrk(srv.url, model, bodyFile);
      };
      const a: Measure[] = [];
      const b: Measure[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        for (const who of i % 2 === 0 ? ['a', 'b'] : ['b', 'a']) {
          if (who === 'a') {
            const m = await other();
            a.push(m);
            log(`round ${i + 1} ${client}: ${fmt(m.throughput, 0)} infer/s, p50 ${fmt(m.p50Ms, 4)} ms`);
          } else {
            const m = await servebench(srv.url, model, body);
            b.push(m);
            log(`round ${i + 1} servebench: ${fmt(m.throughput, 0)} infer/s, p50 ${fmt(m.p50Ms, 4)} ms`);
          }
        }
      }
      const at = median(a.map((m) => m.throughput));
      const bt = median(b.map((m) => m.throughput));
      const ap = median(a.map((m) => m.p50Ms));
      const bp = median(b.map((m) => m.p50Ms));
      printKeys({
        ...(paError ? { perf_analyzer_error: JSON.stringify(paError) } : {}),
        crosscheck_client: client,
        concurrency: CONCURRENCY,
        pinned: TASKSET ? `client:${CLIENT_CPU},server:${SERVER_CPU}` : 'no',
        client_throughput: at,
        servebench_throughput: bt,
        client_p50_ms: ap,
        servebench_p50_ms: bp,
        pa_throughput_diff_pct: (Math.abs(at - bt) / bt) * 100,
        pa_p50_diff_pct: (Math.abs(ap - bp) / bp) * 100,
      });
    } finally {
      await srv.stop();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
