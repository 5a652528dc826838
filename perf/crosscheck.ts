/**
 * npm run perf:crosscheck — does servebench measure what an independent client measures?
 *
 * The built-in server (spawnServer, one instance, one intra-op thread, no batching) runs pinned to
 * CPU 1. Against it, at the same fixed concurrency (4), in alternating order (AB, BA, AB, ...):
 * - Triton's perf_analyzer (tritonclient 2.40.0 wheel, set up by perf/setup-crosscheck.sh), pinned to
 *   CPU 0, 3 windows of 1 s (no stability pick), JSON tensors, with servebench's tensor values as its
 *   --input-data; if it cannot run at all, wrk (Debian) with perf/wrk-post.lua POSTing servebench's body;
 * - servebench's runLoad (perf/loadgen-worker, pinned to CPU 0), 1 s warm-up and 3 s, sending the very body bytes
 *   perf_analyzer sends (captured from one of its requests through a logging TCP proxy).
 * A 3 s warm-up load on each fresh server comes first and is counted by neither.
 * While each client runs, the server's Triton stats and CPU time are sampled once a second, so the
 * server's own view (completions/s, CPU per request, queue and compute time) is printed for both.
 *
 * Headline (pa_*_diff_pct): a compute-bound MLP (layers 6, hidden 2048, ~4 ms per request), where the
 * server's time goes to the model. Context (small_*): the tiny MLP (layers 2, hidden 64) where the
 * server's HTTP/JSON handling is ~3/4 of its cost per request; there perf_analyzer's framing (head and
 * body in two writes) costs the server more per request, and under contention a single event-loop client
 * leaves the server idle more often than perf_analyzer's 4 threads (see perf/README.md), and both
 * show in the throughput.
 * Then the same over gRPC on the compute-bound model (PERF_GRPC_ROUNDS rounds): perf_analyzer -i grpc (else Triton's
 * Python tritonclient.grpc, perf/tritonclient_load.py) against servebench's gRPC sender, the same values as
 * raw_input_contents, printed as grpc_* and pa_grpc_*_diff_pct. Where perf_analyzer and wrk are both missing, the
 * HTTP comparison uses tritonclient.http the same way. PERF_CROSSCHECK_SETUP=0 skips setup-crosscheck.sh's installs.
 * Medians over ROUNDS rounds, more (up to MAX_ROUNDS) while either client's rounds spread wide; servebench is the
 * reference b. The server's busy share (its CPU time per second of the run, /proc/<pid>/stat) under each client
 * says whether the server or the client was the limit; the throughput per busy server-second (client throughput /
 * busy share) is compared too, so the verdict does not hang on which client met a quiet moment of the host.
 * Host noise (steal, load) and the rounds' spread are printed beside (perf/host-noise.ts, perf/noise-policy.ts).
 * Prints key=value lines last; never asserts.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileModel } from '../activities/compile';
import { encodeGrpcRequest } from '../activities/inputs/grpc-body';
import { buildInferBody, fetchModelMetadata } from '../activities/loadgen';
import { spawnServer } from '../activities/serve/server-process';
import { CLIENT_CPU, REPO_ROOT, SERVER_CPU, TASKSET, fmt, log, median, perfScript, pinned, printKeys, run } from './common';
import { NoiseMeter, USER_HZ, processCpuTicks, processSchedNs, withNoise } from './host-noise';
import { MAX_SPREAD, SERVER_BUSY_PCT, limitVerdict, needMoreRounds, noiseKeys, quietestRound, roundOrder, type LimitVerdict, type ServerShare } from './noise-policy';

type Protocol = 'http' | 'grpc';

const CONCURRENCY = 4;
const ROUNDS = Number(process.env.PERF_ROUNDS ?? 8);
const MAX_ROUNDS = Math.max(ROUNDS, Number(process.env.PERF_MAX_ROUNDS ?? 12));
const SMALL_ROUNDS = Number(process.env.PERF_SMALL_ROUNDS ?? 2);
const LAYERS = Number(process.env.PERF_CROSSCHECK_LAYERS ?? 6);
const HIDDEN = Number(process.env.PERF_CROSSCHECK_HIDDEN ?? 2048);
const INPUT = 64;
const PA_FORMAT = process.env.PERF_PA_TENSOR_FORMAT === 'binary' ? 'binary' : 'json';
/** Rounds of the gRPC comparison (compute-bound model); 0 skips it. */
const GRPC_ROUNDS = Number(process.env.PERF_GRPC_ROUNDS ?? ROUNDS);
/**
 * perf_analyzer reports 3 windows (see perfAnalyzer): 3 × 1 s, as long as servebench's measured 3 s. Short runs,
 * many rounds: the server's own speed drifts on a shared host (its model run took 4.0–5.9 ms in one run), and
 * rounds a few seconds apart see the same drift.
 */
const PA_WINDOW_MS = 1000;
const SB_DURATION_MS = 3000;
const WRK_DURATION_S = 3;
/** Server warm-up before the first round (plus runLoad's own 1 s). */
const WARMUP_MS = 3000;

/** What the server saw while one client ran (from its Triton stats and /proc CPU time, sampled every second). */
interface ServerView {
  /** Median over the full 1 s samples of completions/s (the first and last sample, partly idle, left out). */
  rps: number;
  /** Median share of a core the server process got, %. */
  cpuPct: number;
  /** Median share of a second the server's threads were runnable but waited for the core (other tasks held it), %. */
  waitPct: number;
  /** Server CPU time per completed request over the whole run, µs. */
  cpuUsPerReq: number;
  /** Mean arrival (request parsed) → response, queue wait and model run, ms. */
  latencyMs: number;
  queueMs: number;
  computeMs: number;
  /** Seconds, between the first and the last busy sample, in which the server completed nothing (a stalled host). */
  stalledS: number;
}

interface Measure {
  throughput: number;
  p50Ms: number;
  server: ServerView;
  /** Host noise over the run: steal %, mean runnable tasks. */
  stealPct: number | null;
  runnable: number | null;
}

interface Sample {
  t: number;
  cpu: number;
  /** Run-queue wait of the server's threads, ns. */
  wait: number;
  count: number;
  ns: number;
  queueNs: number;
  computeNs: number;
}

function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let b = '';
        res.setEncoding('utf8').on('data', (c: string) => (b += c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(b));
          } catch (e) {
            reject(e);
          }
        });
      })
      .on('error', reject);
  });
}

/** Samples the server's Triton stats and CPU time every second while a client runs. */
class ServerProbe {
  private readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly statsUrl: string, private readonly pid: number) {}

  private async sample(): Promise<void> {
    const j = (await getJson(this.statsUrl)) as { model_stats: { inference_stats: Record<string, { count: number; ns: number }> }[] };
    const st = j.model_stats[0].inference_stats;
    this.samples.push({ t: performance.now(), cpu: processCpuTicks(this.pid), wait: processSchedNs(this.pid)?.waitNs ?? NaN, count: st.success.count, ns: st.success.ns, queueNs: st.queue.ns, computeNs: st.compute_infer.ns });
  }

  async start(): Promise<void> {
    await this.sample();
    this.timer = setInterval(() => {
      this.pending = this.pending.then(() => this.sample()).catch(() => undefined);
    }, 1000);
  }

  async stop(): Promise<ServerView> {
    if (this.timer) clearInterval(this.timer);
    await this.pending;
    await this.sample();
    const s = this.samples;
    const rps: number[] = [];
    const cpu: number[] = [];
    const wait: number[] = [];
    const busy = s.map((x, i) => i > 0 && x.count > s[i - 1].count);
    const firstBusy = busy.indexOf(true);
    const lastBusy = busy.lastIndexOf(true);
    let stalledS = 0;
    for (let i = 1; i < s.length; i++) {
      const dt = (s[i].t - s[i - 1].t) / 1000;
      if (!busy[i]) {
        if (i > firstBusy && i < lastBusy) stalledS += dt; // idle in the middle of the run
        continue; // else: client not running yet / any more
      }
      if (i === firstBusy || i === lastBusy) continue; // partly idle
      rps.push((s[i].count - s[i - 1].count) / dt);
      cpu.push(((s[i].cpu - s[i - 1].cpu) / USER_HZ / dt) * 100);
      wait.push(((s[i].wait - s[i - 1].wait) / 1e9 / dt) * 100);
    }
    const a = s[0];
    const b = s[s.length - 1];
    const n = b.count - a.count;
    return {
      rps: median(rps),
      cpuPct: median(cpu),
      waitPct: median(wait),
      cpuUsPerReq: n > 0 ? ((b.cpu - a.cpu) / USER_HZ / n) * 1e6 : NaN,
      latencyMs: n > 0 ? (b.ns - a.ns) / n / 1e6 : NaN,
      queueMs: n > 0 ? (b.queueNs - a.queueNs) / n / 1e6 : NaN,
      computeMs: n > 0 ? (b.computeNs - a.computeNs) / n / 1e6 : NaN,
      stalledS,
    };
  }
}

function cudartLibDir(): string | null {
  const venvLib = path.join(REPO_ROOT, '.venv', 'lib');
  if (!existsSync(venvLib)) return null;
  for (const py of readdirSync(venvLib)) {
    const d = path.join(venvLib, py, 'site-packages', 'nvidia', 'cuda_runtime', 'lib');
    if (existsSync(path.join(d, 'libcudart.so.12'))) return d;
  }
  return null;
}

const PA_BIN = path.join(REPO_ROOT, '.venv', 'bin', 'perf_analyzer');

function paEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LD_LIBRARY_PATH: [cudartLibDir(), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
}

function paArgs(hostPort: string, model: string, inputName: string, dataFile: string, format: string, concurrency: number, protocol: Protocol = 'http'): string[] {
  return [
    '-m', model, '-u', hostPort, '-i', protocol, '--concurrency-range', String(concurrency),
    '--measurement-interval', String(PA_WINDOW_MS), '--shape', `${inputName}:1,${INPUT}`, '--input-data', dataFile,
    // Over gRPC perf_analyzer always sends raw_input_contents: the tensor format is an HTTP setting.
    ...(protocol === 'http' ? ['--input-tensor-format', format, '--output-tensor-format', format] : []),
  ];
}

/**
 * Runs perf_analyzer (JSON tensors) through a logging TCP proxy until its first infer request has
 * gone through, and returns that request (head and body) as it was on the wire.
 */
async function capturePaRequest(serverUrl: string, model: string, inputName: string, dataFile: string): Promise<{ head: string; body: Buffer }> {
  if (!existsSync(PA_BIN)) throw new Error(`${PA_BIN} is missing (tritonclient wheel not installed)`);
  const target = new URL(serverUrl);
  let resolveReq!: (r: { head: string; body: Buffer }) => void;
  const got = new Promise<{ head: string; body: Buffer }>((r) => (resolveReq = r));
  const proxy = net.createServer((c) => {
    const s = net.connect(Number(target.port), target.hostname);
    let buf = Buffer.alloc(0);
    c.on('data', (d: Buffer) => {
      s.write(d);
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.toString('latin1', 0, end);
        const len = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        if (/^POST \S+\/infer /.test(head)) resolveReq({ head, body: Buffer.from(buf.subarray(end + 4, end + 4 + len)) });
        buf = buf.subarray(end + 4 + len);
      }
    });
    s.on('data', (d: Buffer) => c.write(d));
    c.on('error', () => s.destroy());
    s.on('error', () => c.destroy());
    c.on('close', () => s.destroy());
    s.on('close', () => c.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const port = (proxy.address() as net.AddressInfo).port;
  const child = spawn(PA_BIN, paArgs(`127.0.0.1:${port}`, model, inputName, dataFile, 'json', 1), { env: paEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  try {
    return await Promise.race([
      got,
      exited.then((code) => Promise.reject(new Error(`perf_analyzer exited ${code} before sending a request: ${out.trim().split('\n').slice(-3).join(' | ')}`))),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no infer request from perf_analyzer within 30 s')), 30_000).unref()),
    ]);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    proxy.close();
  }
}

async function perfAnalyzer(url: string, model: string, inputName: string, dataFile: string, tmp: string, protocol: Protocol = 'http'): Promise<{ throughput: number; p50Ms: number }> {
  if (!existsSync(PA_BIN)) throw new Error(`${PA_BIN} is missing (tritonclient wheel not installed)`);
  const csv = path.join(tmp, `pa-${Date.now()}.csv`);
  // --stability-percentage 1000: any 3 windows count, so it reports its first 3 (3 s) as servebench reports its
  // fixed 3 s. Its default (measure until 3 windows agree within ±10 %, up to 10) keeps the calmest stretch of a
  // busy host and so reported 0–12 % above the mean of all its windows here; servebench's window has no such pick.
  const [cmd, args] = pinned(CLIENT_CPU, PA_BIN, [
    ...paArgs(url.replace(/^http:\/\//, ''), model, inputName, dataFile, PA_FORMAT, CONCURRENCY, protocol),
    '--stability-percentage', '1000', '-f', csv,
  ]);
  const r = await run(cmd, args, { env: paEnv(), timeoutMs: 120_000 });
  if (r.code !== 0 || !existsSync(csv)) {
    throw new Error(`perf_analyzer exited ${r.code}: ${(r.stderr + r.stdout).trim().split('\n').slice(-5).join(' | ')}`);
  }
  // Concurrency,Inferences/Second,Client Send,Network+Server Send/Recv,Server Queue,...,p50 latency,... (µs)
  const [head, row] = readFileSync(csv, 'utf8').trim().split('\n');
  const cols = head.split(',');
  const vals = row.split(',').map(Number);
  const col = (name: string): number => vals[cols.indexOf(name)];
  log(
    `  perf_analyzer's own breakdown (µs): client send ${col('Client Send')}, network+server send/recv ${col('Network+Server Send/Recv')}, ` +
      `server queue ${col('Server Queue')}, server compute ${col('Server Compute Infer')}, client recv ${col('Client Recv')}`,
  );
  return { throughput: col('Inferences/Second'), p50Ms: col('p50 latency') / 1000 };
}

function wrkMs(s: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(s.trim());
  if (!m) return NaN;
  return Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000, m: 60000 } as Record<string, number>)[m[2]];
}

async function wrk(url: string, model: string, bodyFile: string): Promise<{ throughput: number; p50Ms: number }> {
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

const SYSTEMS_PYTHON = path.join(REPO_ROOT, '.venv-systems', 'bin', 'python');

/** Whether Triton's Python client (tritonclient, in .venv-systems) can run here. */
function tritonclientProblem(): string | null {
  if (!existsSync(SYSTEMS_PYTHON)) return `${SYSTEMS_PYTHON} is missing (npm run setup)`;
  return null;
}

/**
 * Triton's own Python client (perf/tritonclient_load.py): CONCURRENCY threads back to back, 1 s warm-up, 3 s
 * measured, the same values; the independent client where perf_analyzer (and for HTTP wrk) cannot run.
 */
async function tritonclient(protocol: Protocol, target: string, model: string, inputName: string, values: number[]): Promise<{ throughput: number; p50Ms: number }> {
  const opts = { protocol, url: target, model, input: inputName, shape: [1, INPUT], values, concurrency: CONCURRENCY, warmup_s: 1, duration_s: SB_DURATION_MS / 1000 };
  const [cmd, args] = pinned(CLIENT_CPU, SYSTEMS_PYTHON, [path.join(REPO_ROOT, 'perf', 'tritonclient_load.py'), JSON.stringify(opts)]);
  const r = await run(cmd, args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`tritonclient_load.py failed (${r.code}): ${r.stderr.slice(-1000)}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { throughput: number; p50Ms: number; errors: number; errorSamples: string[] };
  if (j.errors > 0) log(`tritonclient saw ${j.errors} errors: ${j.errorSamples.join(' | ')}`);
  return { throughput: j.throughput, p50Ms: j.p50Ms };
}

async function servebench(url: string, model: string, body: string | Buffer, durationMs = SB_DURATION_MS, protocol: Protocol = 'http'): Promise<{ throughput: number; p50Ms: number }> {
  // gRPC bodies are protobuf bytes: they travel to the worker as base64.
  const wire = typeof body === 'string' ? { body } : { bodyBase64: body.toString('base64') };
  const opts = { baseUrl: url, protocol, modelName: model, ...wire, seed: 1, mode: 'concurrency', concurrency: CONCURRENCY, warmupMs: 1000, durationMs, maxDurationMs: durationMs };
  const [cmd, args] = pinned(CLIENT_CPU, process.execPath, [perfScript('loadgen-worker'), JSON.stringify(opts)]);
  const r = await run(cmd, args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`loadgen-worker failed (${r.code}): ${r.stderr.slice(-1000)}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { throughput: number; errors: number; latency: { p50Ms: number }; loadgenCpuPct: number | null };
  if (j.errors > 0) log(`servebench saw ${j.errors} errors`);
  log(`  servebench load generator cpu ${fmt(j.loadgenCpuPct ?? NaN, 0)}%`);
  return { throughput: j.throughput, p50Ms: j.latency.p50Ms };
}

interface Comparison {
  model: string;
  client: string;
  paError: string;
  bodyBytes: number;
  sameBody: string;
  a: Measure;
  b: Measure;
  rounds: { a: Measure; b: Measure }[];
}

/** Medians over rounds of a client's measures (server view included, field by field). */
function medianMeasure(ms: Measure[]): Measure {
  const m = (f: (x: Measure) => number): number => median(ms.map(f));
  return {
    throughput: m((x) => x.throughput),
    p50Ms: m((x) => x.p50Ms),
    stealPct: m((x) => x.stealPct ?? NaN),
    runnable: m((x) => x.runnable ?? NaN),
    server: {
      rps: m((x) => x.server.rps),
      cpuPct: m((x) => x.server.cpuPct),
      waitPct: m((x) => x.server.waitPct),
      cpuUsPerReq: m((x) => x.server.cpuUsPerReq),
      latencyMs: m((x) => x.server.latencyMs),
      queueMs: m((x) => x.server.queueMs),
      computeMs: m((x) => x.server.computeMs),
      stalledS: m((x) => x.server.stalledS),
    },
  };
}

const shareOf = (m: Measure): ServerShare => ({ busyPct: m.server.cpuPct, waitPct: Number.isFinite(m.server.waitPct) ? m.server.waitPct : null });
const limitOf = (m: Measure): LimitVerdict['limit'] => limitVerdict({ c: shareOf(m) }).limit;

const describe = (who: string, m: Measure): string =>
  `${who}: ${fmt(m.throughput, 1)} infer/s, p50 ${fmt(m.p50Ms, 3)} ms | server saw ${fmt(m.server.rps, 1)}/s, ` +
  `cpu ${fmt(m.server.cpuPct, 0)}% of a core, ${fmt(m.server.cpuUsPerReq, 0)} µs cpu/request, latency ${fmt(m.server.latencyMs, 3)} ms ` +
  `(queue ${fmt(m.server.queueMs, 3)}, compute ${fmt(m.server.computeMs, 3)})` +
  `, waited for its core ${fmt(m.server.waitPct, 0)}%` +
  (limitOf(m) === 'client' ? ` | CLIENT-LIMITED: the server was busy ${fmt(m.server.cpuPct, 0)}% < ${SERVER_BUSY_PCT}% and waited for requests` : '') +
  (limitOf(m) === 'host' ? ` | HOST-LIMITED: the server had work but other tasks held its core` : '') +
  (m.server.stalledS > 0 ? ` | STALL: the server completed nothing for ${fmt(m.server.stalledS, 1)} s mid-run (host busy?)` : '') +
  ` | steal ${fmt(m.stealPct ?? NaN, 1)}% runnable ${fmt(m.runnable ?? NaN, 1)}`;

/**
 * One model on its own server: both clients at CONCURRENCY, alternating (AB, BA, ...) for `rounds` rounds, up to
 * `maxRounds` while they spread wide, over `protocol`. gRPC: perf_analyzer `-i grpc` (raw_input_contents) against servebench's gRPC sender with the same
 * values as raw_input_contents (tensorFormat binary); the independent client falls back to Triton's Python
 * tritonclient.grpc where perf_analyzer cannot run.
 */
async function compare(layers: number, hidden: number, rounds: number, maxRounds: number, tmp: string, forceWrk: boolean, protocol: Protocol = 'http'): Promise<Comparison> {
  const artifact = await compileModel(
    { model: { generate: { family: 'mlp', layers, hidden, inputShape: [INPUT], dtype: 'float32', seed: 1 } }, graphOptimization: 'all' },
    { cacheDir: path.join(tmp, 'cache') },
  );
  const model = artifact.modelName;
  const srv = await spawnServer({ modelPath: artifact.path, modelName: model, instances: 1, intraOpThreads: 1, interOpThreads: 1, cpuList: SERVER_CPU, grpcPort: protocol === 'grpc' ? 0 : undefined });
  try {
    const meta = await fetchModelMetadata(srv.url, model);
    const input = meta.inputs[0];
    // servebench's own request: seeded values in [-1, 1) with 4 decimals.
    const ownBody = buildInferBody(meta, 1, 1);
    const values = (JSON.parse(ownBody) as { inputs: { data: number[] }[] }).inputs[0].data;
    const dataFile = path.join(tmp, `pa-data-${model}.json`);
    writeFileSync(dataFile, JSON.stringify({ data: [{ [input.name]: { content: values, shape: [1, INPUT] } }] }));
    if (protocol === 'grpc') return await compareGrpc(srv, model, input.name, values, dataFile, rounds, maxRounds, tmp);

    let client = forceWrk ? 'wrk' : 'perf_analyzer';
    let paError = '';
    let body = ownBody;
    let sameBody = 'yes (wrk and servebench POST the same file)';
    if (client === 'perf_analyzer') {
      try {
        // perf_analyzer holds the values as FP32 and writes them back as doubles ("0.0885" -> "0.0885000005364418"),
        // so its JSON body is longer than servebench's own; servebench sends exactly those bytes instead.
        const req = await capturePaRequest(srv.url, model, input.name, dataFile);
        const sent = (JSON.parse(req.body.toString('utf8')) as { inputs: { name: string; shape: number[]; data: number[] }[] }).inputs[0];
        const sameValues = sent.data.length === values.length && sent.data.every((v, i) => v === Math.fround(values[i]));
        if (!sameValues) throw new Error(`perf_analyzer sent other tensor values than given (${JSON.stringify(sent).slice(0, 200)})`);
        body = req.body.toString('utf8');
        sameBody = PA_FORMAT === 'json' ? 'yes' : 'no (perf_analyzer binary tensors; same values, servebench JSON)';
        log(`${model}: perf_analyzer's request (${req.body.length} B body, same FP32 values as given; servebench sends this body): ${JSON.stringify(req.head)}`);
        log(`${model}: servebench's own body would be ${ownBody.length} B; it sends perf_analyzer's ${req.body.length} B here`);
      } catch (e) {
        paError = (e as Error).message;
        client = (await run('sh', ['-c', 'command -v wrk'])).code === 0 || tritonclientProblem() ? 'wrk' : 'tritonclient';
        log(`perf_analyzer cannot run here: ${paError}; falling back to ${client}`);
        if (client === 'tritonclient') sameBody = "no (Triton's Python client's JSON body; same values)";
      }
    }
    const bodyFile = path.join(tmp, `body-${model}.json`);
    writeFileSync(bodyFile, body);

    const measure = (fn: () => Promise<{ throughput: number; p50Ms: number }>): Promise<Measure> => measured(srv, model, fn);
    const other = async (): Promise<Measure> => {
      if (client === 'wrk') return measure(() => wrk(srv.url, model, bodyFile));
      if (client === 'tritonclient') return measure(() => tritonclient('http', srv.url.replace(/^http:\/\//, ''), model, input.name, values));
      // perf_analyzer ran already (the capture), so a failure here is a run that went wrong on a busy host:
      // try again, twice at most.
      for (let attempt = 1; ; attempt++) {
        try {
          return await measure(() => perfAnalyzer(srv.url, model, input.name, dataFile, tmp));
        } catch (e) {
          if (attempt >= 3) throw e;
          log(`perf_analyzer attempt ${attempt} failed (${(e as Error).message}); trying again`);
        }
      }
    };
    // Server warm-up, measured by neither, so that no client's first round pays for a cold server
    // (weights paged in, allocator and JIT warming up).
    const warm = await servebench(srv.url, model, body, WARMUP_MS);
    log(`${model} warm-up (not counted): ${fmt(warm.throughput, 1)} infer/s`);
    const { a, b, rounds: each } = await alternate(rounds, maxRounds, model, client, other, () => measure(() => servebench(srv.url, model, body)));
    return { model: `${model}_in${INPUT}`, client, paError, bodyBytes: Buffer.byteLength(body), sameBody, a, b, rounds: each };
  } finally {
    await srv.stop();
  }
}

/** Samples the server while `fn` runs (its Triton stats over HTTP, its CPU time). */
async function measured(srv: { url: string; pid: number }, model: string, fn: () => Promise<{ throughput: number; p50Ms: number }>): Promise<Measure> {
  const probe = new ServerProbe(`${srv.url}/v2/models/${encodeURIComponent(model)}/stats`, srv.pid);
  await probe.start();
  let r;
  try {
    r = await withNoise(fn);
  } catch (e) {
    await probe.stop().catch(() => undefined);
    throw e;
  }
  return { ...r.value, server: await probe.stop(), stealPct: r.noise.stealPct, runnable: r.noise.runnableMean };
}

/** compare() over gRPC: perf_analyzer -i grpc (else tritonclient.grpc) against servebench's gRPC sender, alternating. */
async function compareGrpc(
  srv: { url: string; pid: number; grpcTarget?: string },
  model: string,
  inputName: string,
  values: number[],
  dataFile: string,
  rounds: number,
  maxRounds: number,
  tmp: string,
): Promise<Comparison> {
  const target = srv.grpcTarget!;
  // The very tensor perf_analyzer and tritonclient send: FP32 values as raw_input_contents.
  const body = encodeGrpcRequest(model, [{ name: inputName, datatype: 'FP32', shape: [1, INPUT], data: new Float32Array(values) }], 'binary').body;
  let client = 'perf_analyzer';
  let paError = '';
  const paOnce = () => measured(srv, model, () => perfAnalyzer(target, model, inputName, dataFile, tmp, 'grpc'));
  const warm = await servebench(target, model, body, WARMUP_MS, 'grpc');
  log(`${model} gRPC warm-up (not counted): ${fmt(warm.throughput, 1)} infer/s`);
  let first: Measure | null = null;
  try {
    first = await paOnce(); // a trial run: not counted either
  } catch (e) {
    paError = (e as Error).message;
    const problem = tritonclientProblem();
    if (problem) throw new Error(`no independent gRPC client: perf_analyzer: ${paError}; tritonclient: ${problem}`, { cause: e });
    client = 'tritonclient';
    log(`perf_analyzer -i grpc cannot run here: ${paError}; falling back to Triton's Python client (tritonclient.grpc)`);
  }
  if (first) log(`${model} gRPC perf_analyzer trial (not counted): ${describe(client, first)}`);
  const other = (): Promise<Measure> =>
    client === 'perf_analyzer' ? paOnce() : measured(srv, model, () => tritonclient('grpc', target, model, inputName, values));
  const ours = () => measured(srv, model, () => servebench(target, model, body, SB_DURATION_MS, 'grpc'));
  const { a, b, rounds: each } = await alternate(rounds, maxRounds, `${model} gRPC`, client, other, ours);
  return { model: `${model}_in${INPUT}`, client, paError, bodyBytes: body.length, sameBody: 'same FP32 values as raw_input_contents (the messages themselves not compared)', a, b, rounds: each };
}

/**
 * Both clients alternating (AB, BA, ...) for `rounds` rounds, more (up to `maxRounds`) while either client's
 * throughput spreads wide, each logged; the medians of each (a: the other client, b: servebench) and every round.
 */
async function alternate(
  rounds: number,
  maxRounds: number,
  label: string,
  client: string,
  other: () => Promise<Measure>,
  ours: () => Promise<Measure>,
): Promise<{ a: Measure; b: Measure; rounds: { a: Measure; b: Measure }[] }> {
  const a: Measure[] = [];
  const b: Measure[] = [];
  const policy = { minRounds: rounds, maxRounds: Math.max(rounds, maxRounds), maxSpread: MAX_SPREAD };
  for (let i = 0; needMoreRounds([a.map((x) => x.throughput), b.map((x) => x.throughput)], policy); i++) {
    for (const who of roundOrder(['a', 'b'], i)) {
      const m = await (who === 'a' ? other() : ours());
      (who === 'a' ? a : b).push(m);
      log(`${label} round ${i + 1} ${describe(who === 'a' ? client : 'servebench', m)}`);
    }
  }
  return { a: medianMeasure(a), b: medianMeasure(b), rounds: a.map((x, i) => ({ a: x, b: b[i] })) };
}

const diffPct = (a: number, b: number): number => (Math.abs(a - b) / b) * 100;
/** A client's throughput per busy server-second (inferences/s at a fully busy server): what the server could do. */
const perBusy = (m: Measure): number => m.throughput / (m.server.cpuPct / 100);

async function main(): Promise<void> {
  // PERF_CROSSCHECK_SETUP=0: use what is installed (the script would pip- and apt-install the missing clients).
  if (process.env.PERF_CROSSCHECK_SETUP !== '0') {
    const setup = await run('bash', [path.join(REPO_ROOT, 'perf', 'setup-crosscheck.sh')], { timeoutMs: 600_000 });
    if (setup.stderr.trim()) process.stderr.write(setup.stderr);
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'servebench-perf-crosscheck-'));
  const meter = new NoiseMeter().start();
  try {
    const forceWrk = process.env.PERF_CROSSCHECK_CLIENT === 'wrk';
    log(`compute-bound model (headline): mlp layers ${LAYERS} hidden ${HIDDEN}, concurrency ${CONCURRENCY}, ${ROUNDS} rounds`);
    const big = await compare(LAYERS, HIDDEN, ROUNDS, MAX_ROUNDS, tmp, forceWrk);
    let small: Comparison | null = null;
    if (SMALL_ROUNDS > 0) {
      log(`small model (context): mlp layers 2 hidden 64, concurrency ${CONCURRENCY}, ${SMALL_ROUNDS} round(s)`);
      small = await compare(2, 64, SMALL_ROUNDS, SMALL_ROUNDS, tmp, big.client === 'wrk');
    }
    let grpc: Comparison | null = null;
    if (GRPC_ROUNDS > 0) {
      log(`gRPC (compute-bound model): mlp layers ${LAYERS} hidden ${HIDDEN}, concurrency ${CONCURRENCY}, ${GRPC_ROUNDS} rounds`);
      grpc = await compare(LAYERS, HIDDEN, GRPC_ROUNDS, Math.max(GRPC_ROUNDS, MAX_ROUNDS), tmp, false, 'grpc');
    }
    const paError = big.paError || small?.paError;
    const noise = meter.stop();
    const limit = limitVerdict({ [big.client]: shareOf(big.a), servebench: shareOf(big.b) });
    const roundsLimitedBy = (who: 'a' | 'b', by: LimitVerdict['limit']): number => big.rounds.filter((r) => limitOf(r[who]) === by).length;
    const quiet = quietestRound(big.rounds.map((r) => ({ stealPct: ((r.a.stealPct ?? NaN) + (r.b.stealPct ?? NaN)) / 2, load: ((r.a.runnable ?? NaN) + (r.b.runnable ?? NaN)) / 2 })));
    const q = quiet >= 0 ? big.rounds[quiet] : null;
    const aPerBusy = median(big.rounds.map((r) => perBusy(r.a)));
    const bPerBusy = median(big.rounds.map((r) => perBusy(r.b)));
    printKeys({
      ...(paError ? { perf_analyzer_error: JSON.stringify(paError) } : {}),
      crosscheck_client: big.client,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      pinned: TASKSET ? `client:${CLIENT_CPU},server:${SERVER_CPU}` : 'no',
      pa_tensor_format: big.client === 'perf_analyzer' ? PA_FORMAT : 'json',
      ...(small
        ? {
            small_model: small.model,
            small_rounds: SMALL_ROUNDS,
            small_client_throughput: small.a.throughput,
            small_servebench_throughput: small.b.throughput,
            small_client_p50_ms: small.a.p50Ms,
            small_servebench_p50_ms: small.b.p50Ms,
            small_server_cpu_pct_client: small.a.server.cpuPct,
            small_server_cpu_pct_servebench: small.b.server.cpuPct,
            small_server_cpu_us_per_req_client: small.a.server.cpuUsPerReq,
            small_server_cpu_us_per_req_servebench: small.b.server.cpuUsPerReq,
            small_throughput_diff_pct: diffPct(small.a.throughput, small.b.throughput),
            small_p50_diff_pct: diffPct(small.a.p50Ms, small.b.p50Ms),
          }
        : {}),
      model: big.model,
      rounds_run: big.rounds.length,
      request_body_bytes: big.bodyBytes,
      same_request_body: big.sameBody,
      server_compute_ms: median([big.a.server.computeMs, big.b.server.computeMs]),
      server_rps_client: big.a.server.rps,
      server_rps_servebench: big.b.server.rps,
      server_cpu_pct_client: big.a.server.cpuPct,
      server_cpu_pct_servebench: big.b.server.cpuPct,
      server_cpu_us_per_req_client: big.a.server.cpuUsPerReq,
      server_cpu_us_per_req_servebench: big.b.server.cpuUsPerReq,
      server_latency_ms_client: big.a.server.latencyMs,
      server_latency_ms_servebench: big.b.server.latencyMs,
      client_throughput: big.a.throughput,
      servebench_throughput: big.b.throughput,
      client_p50_ms: big.a.p50Ms,
      servebench_p50_ms: big.b.p50Ms,
      server_wait_pct_client: big.a.server.waitPct,
      server_wait_pct_servebench: big.b.server.waitPct,
      limit: limit.limit,
      client_limited: limit.clientLimited.join(',') || 'none',
      host_limited: limit.hostLimited.join(',') || 'none',
      rounds_client_limited_client: roundsLimitedBy('a', 'client'),
      rounds_client_limited_servebench: roundsLimitedBy('b', 'client'),
      rounds_host_limited_client: roundsLimitedBy('a', 'host'),
      rounds_host_limited_servebench: roundsLimitedBy('b', 'host'),
      client_throughput_per_busy_server: aPerBusy,
      servebench_throughput_per_busy_server: bPerBusy,
      pa_throughput_per_busy_server_diff_pct: diffPct(aPerBusy, bPerBusy),
      pa_throughput_diff_pct_quietest: q ? diffPct(q.a.throughput, q.b.throughput) : NaN,
      ...noiseKeys(noise, { client_throughput: big.rounds.map((r) => r.a.throughput), servebench_throughput: big.rounds.map((r) => r.b.throughput) }),
      pa_throughput_diff_pct: diffPct(big.a.throughput, big.b.throughput),
      pa_p50_diff_pct: diffPct(big.a.p50Ms, big.b.p50Ms),
      ...(grpc
        ? {
            ...(grpc.paError ? { grpc_perf_analyzer_error: JSON.stringify(grpc.paError) } : {}),
            grpc_client: grpc.client,
            grpc_rounds: GRPC_ROUNDS,
            grpc_request_bytes: grpc.bodyBytes,
            grpc_same_request: grpc.sameBody,
            grpc_server_compute_ms: median([grpc.a.server.computeMs, grpc.b.server.computeMs]),
            grpc_server_rps_client: grpc.a.server.rps,
            grpc_server_rps_servebench: grpc.b.server.rps,
            grpc_server_cpu_us_per_req_client: grpc.a.server.cpuUsPerReq,
            grpc_server_cpu_us_per_req_servebench: grpc.b.server.cpuUsPerReq,
            grpc_client_throughput: grpc.a.throughput,
            grpc_servebench_throughput: grpc.b.throughput,
            grpc_client_p50_ms: grpc.a.p50Ms,
            grpc_servebench_p50_ms: grpc.b.p50Ms,
            // servebench's own numbers, gRPC over HTTP, same model and concurrency (higher: gRPC serves more).
            servebench_grpc_vs_http_throughput: grpc.b.throughput / big.b.throughput,
            grpc_rounds_run: grpc.rounds.length,
            grpc_server_cpu_pct_client: grpc.a.server.cpuPct,
            grpc_server_cpu_pct_servebench: grpc.b.server.cpuPct,
            // As for HTTP: throughput per busy server-second, so the verdict does not hang on a quiet moment.
            pa_grpc_throughput_per_busy_server_diff_pct: diffPct(median(grpc.rounds.map((r) => perBusy(r.a))), median(grpc.rounds.map((r) => perBusy(r.b)))),
            pa_grpc_throughput_diff_pct: diffPct(grpc.a.throughput, grpc.b.throughput),
            pa_grpc_p50_diff_pct: diffPct(grpc.a.p50Ms, grpc.b.p50Ms),
          }
        : {}),
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
