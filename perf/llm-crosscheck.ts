/**
 * npm run perf:llm-crosscheck — does servebench measure LLM serving as GuideLLM does?
 *
 * The built-in LLM server (node-llama-cpp on the bundled SmolLM2-135M-Instruct Q4_1 GGUF, one thread, parallel =
 * the concurrency) runs pinned to CPU 1. Against it, in alternating order (AB, BA, ...), at the same closed-loop
 * concurrency (PERF_LLM_CONCURRENCY, 1: at 2 both clients' streams start together and stay in step, so one of each pair waits for the other's prefill and TTFT is bimodal, its p50 landing on either mode), streamed chat completions of synthetic prompts of 64 tokens and exactly 32
 * output tokens (max_tokens with ignore_eos), 2 s of warm-up then PERF_LLM_DURATION_S (12) s measured, each client
 * pinned to CPU 0:
 * - GuideLLM 0.8.1 (perf/guidellm.ts; .venv-guidellm from perf/setup-llm-crosscheck.sh): `guidellm run` with the
 *   concurrent profile, its warmup and a max_duration constraint, synthetic data sized by the GGUF's own tokenizer;
 * - servebench's load generator (a pinned child, as a follower runs it) with bodies from its request builder
 *   counted by the same tokenizer, reshaped as GuideLLM's (likeGuidellm: the server's cost per token depends on them).
 * Compared (servebench − GuideLLM) / GuideLLM, medians over rounds: TTFT p50 (both from the request's send),
 * ITL p50 (GuideLLM's inter_token_latency is (E2E − TTFT) / (tokens − 1) per request: servebench's itl_mean, not its
 * pooled ITL), output tokens/s (both the pace of the measured time, tokens of requests cut off at the end included).
 * Both clients' requests carry servebench's measured header, so the server's own decode time per token over each
 * round is printed beside the clients' ITL: where the server itself was slower in one client's rounds (a shared
 * host's drift), the clients' figures differ with it and the diff is the host's, not the measurement's.
 * A short warm-up run on the fresh server comes first. The server's busy share over each client's measured span
 * (its CPU time sampled every 250 ms) says whether the server or the client was the limit. Host noise and the rounds' spread are printed beside; never asserts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildLlmRequestsInChild } from '../activities/inputs/prompts-process';
import { spawnLoadGenerator, type LoadGenerator } from '../activities/loadgen/loadgen-process';
import type { LlmRequestBody } from '../activities/loadgen/llm-types';
import { spawnLlmServer } from '../activities/serve/llm/llm-process';
import type { ServerStats } from '../activities/serve/types';
import { CLIENT_CPU, REPO_ROOT, SERVER_CPU, fmt, log, median, printKeys, run } from './common';
import { GUIDELLM, runGuidellm } from './guidellm';
import { NoiseMeter, USER_HZ, processCpuTicks } from './host-noise';
import { MAX_SPREAD, needMoreRounds, noiseKeys, roundOrder } from './noise-policy';

const GGUF = path.join(REPO_ROOT, 'models', 'third-party', 'SmolLM2-135M-Instruct.Q4_1.gguf');
const MODEL = 'SmolLM2-135M-Instruct.Q4_1';
const CONCURRENCY = Number(process.env.PERF_LLM_CONCURRENCY ?? 1);
const PROMPT_TOKENS = 64;
const OUTPUT_TOKENS = 32;
const WARMUP_S = 2;
const DURATION_S = Number(process.env.PERF_LLM_DURATION_S ?? 12);
const ROUNDS = Number(process.env.PERF_ROUNDS ?? 4);
const MAX_ROUNDS = Math.max(ROUNDS, Number(process.env.PERF_MAX_ROUNDS ?? 8));

type Client = 'guidellm' | 'servebench';
interface Figures {
  ttftP50Ms: number;
  itlP50Ms: number;
  outputTps: number;
  requests: number;
  /** Share of a core the server used meanwhile, %. */
  serverBusyPct: number;
  /** How busy the client's CPU was meanwhile, % (the client and anything else on that CPU). */
  clientCpuPct: number;
  /** The server's own time per generated token (its decode time over its tokens after the first), ms. */
  serverItlMs: number;
}

/** Busy ticks of one CPU so far (/proc/stat: all but idle and iowait). */
function cpuBusyTicks(cpu: string): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${cpu} `));
  if (!line) return NaN;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  return f.reduce((a, b) => a + b, 0) - f[3] - (f[4] ?? 0);
}

/**
 * The server's CPU time and the client CPU's busy time, sampled every 250 ms, so each can be read over a client's
 * own measured span: the server's share says whether it was the limit, the client CPU's how hard the client worked.
 */
class BusyTrace {
  private readonly samples: { at: number; server: number; client: number }[] = [];
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly pid: number) {
    const sample = (): void => void this.samples.push({ at: Date.now(), server: processCpuTicks(this.pid), client: cpuBusyTicks(CLIENT_CPU) });
    sample();
    this.timer = setInterval(sample, 250);
  }
  /** Busy % of one core between two epoch-ms times (the samples nearest inside them). */
  busyPct(fromMs: number, toMs: number, of: 'server' | 'client' = 'server'): number {
    const inside = this.samples.filter((s) => s.at >= fromMs && s.at <= toMs);
    if (inside.length < 2) return NaN;
    const a = inside[0];
    const b = inside[inside.length - 1];
    return ((b[of] - a[of]) / USER_HZ / ((b.at - a.at) / 1000)) * 100;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * A servebench chat body in the shape GuideLLM sends (its request_args): no seed, max_completion_tokens, the content
 * as a list of text parts, continuous usage stats asked. The built-in server decodes GuideLLM's requests ~7% slower
 * per token than servebench's own (a request without a seed draws a sampler seed of its own; measured with the
 * server's own statistics: perf/README.md), so the clients send the same requests and what differs is the measurement.
 */
function likeGuidellm(b: LlmRequestBody): LlmRequestBody {
  const j = JSON.parse(b.body.toString('utf8')) as Record<string, unknown> & { messages: { role: string; content: string }[]; stream_options: Record<string, unknown> };
  delete j.seed;
  j.max_completion_tokens = j.max_tokens;
  delete j.max_tokens;
  j.stream_options = { ...j.stream_options, continuous_usage_stats: true };
  j.messages = j.messages.map((m) => ({ ...m, content: [{ type: 'text', text: m.content }] })) as unknown as typeof j.messages;
  return { ...b, body: Buffer.from(JSON.stringify(j)) };
}

/** The server's decode time per token after the first, ms, from its statistics (requests marked measured: both clients mark theirs). */
function serverItl(stats: ServerStats): number {
  const llm = stats.llm;
  if (!llm || !stats.requests || llm.decodeTimeUs.mean === null) return NaN;
  const perRequest = llm.completionTokens / stats.requests;
  return perRequest > 1 ? llm.decodeTimeUs.mean / 1000 / (perRequest - 1) : NaN;
}

async function servebenchRound(gen: LoadGenerator, url: string, bodies: LlmRequestBody[], durationS: number, warmupS: number): Promise<Omit<Figures, 'serverBusyPct' | 'clientCpuPct' | 'serverItlMs'> & { startMs: number; endMs: number }> {
  const r = await gen.run({
    baseUrl: url,
    modelName: MODEL,
    api: 'openai-chat',
    llmBodies: bodies,
    mode: 'concurrency',
    concurrency: CONCURRENCY,
    warmupMs: warmupS * 1000,
    durationMs: durationS * 1000,
    requestTimeoutMs: 120_000,
  });
  if (!r.llm) throw new Error('servebench returned no LLM figures');
  if (r.errors) throw new Error(`servebench: ${r.errors} errors: ${r.errorSamples.join('; ')}`);
  const startMs = Date.parse(r.startedAt);
  return { ttftP50Ms: r.llm.ttft.p50Ms ?? NaN, itlP50Ms: r.llm.itlMeanPerRequest.p50Ms ?? NaN, outputTps: r.llm.outputTokensPerS, requests: r.ok, startMs, endMs: startMs + r.measuredMs };
}

async function main(): Promise<void> {
  if (!existsSync(GGUF)) throw new Error(`${GGUF} is missing: run npm run setup`);
  let tokenizerDir = path.join(REPO_ROOT, '.venv-guidellm', 'smollm2-tokenizer');
  if (process.env.PERF_LLM_SETUP !== '0') {
    const setup = await run('bash', [path.join(REPO_ROOT, 'perf', 'setup-llm-crosscheck.sh')], { timeoutMs: 1_800_000 });
    if (setup.code !== 0) throw new Error(`perf/setup-llm-crosscheck.sh failed: ${setup.stderr.slice(-1000)}`);
    tokenizerDir = path.resolve(REPO_ROOT, setup.stdout.trim());
  }
  if (!existsSync(GUIDELLM)) throw new Error(`${GUIDELLM} is missing: run perf/setup-llm-crosscheck.sh`);

  const built = await buildLlmRequestsInChild({
    settings: {
      api: 'openai-chat',
      modelName: MODEL,
      prompts: { inputTokens: PROMPT_TOKENS, outputTokens: OUTPUT_TOKENS, sharedPrefix: 0, ignoreEos: true },
      stream: true,
      seed: 1,
    },
    modelPath: GGUF,
  });
  const bodies = built.bodies.map(likeGuidellm);
  log(`servebench: ${bodies.length} distinct requests, prompts counted by the ${built.tokenizer} tokenizer, shaped as GuideLLM's`);
  const server = await spawnLlmServer({ modelPath: GGUF, modelName: MODEL, parallel: CONCURRENCY, contextSize: 512, threads: 1, cpuList: SERVER_CPU });
  const gen = spawnLoadGenerator({ cpuList: CLIENT_CPU });
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'servebench-llm-crosscheck-'));
  const noise = new NoiseMeter().start();
  const busy = new BusyTrace(server.pid);
  const rounds: Record<Client, Figures[]> = { guidellm: [], servebench: [] };
  try {
    log(`server ${server.url} (pinned ${server.pinned}, CPU ${SERVER_CPU}); clients on CPU ${CLIENT_CPU}; concurrency ${CONCURRENCY}, ${PROMPT_TOKENS} → ${OUTPUT_TOKENS} tokens, ${WARMUP_S} s + ${DURATION_S} s`);
    await servebenchRound(gen, server.url, bodies, 3, 0); // the fresh server's first requests: counted by neither
    for (let i = 0; i < MAX_ROUNDS; i++) {
      if (i >= ROUNDS && !needMoreRounds([rounds.guidellm.map((f) => f.outputTps), rounds.servebench.map((f) => f.outputTps)], { minRounds: ROUNDS, maxRounds: MAX_ROUNDS, maxSpread: MAX_SPREAD })) break;
      for (const client of roundOrder<Client>(['guidellm', 'servebench'], i)) {
        await server.resetStats();
        const f =
          client === 'guidellm'
            ? await runGuidellm({ target: server.url, model: MODEL, concurrency: CONCURRENCY, warmupS: WARMUP_S, durationS: DURATION_S, promptTokens: PROMPT_TOKENS, outputTokens: OUTPUT_TOKENS, tokenizerDir, cpu: CLIENT_CPU, outFile: path.join(outDir, `guidellm-${i}.json`), timeoutMs: 600_000 })
            : await servebenchRound(gen, server.url, bodies, DURATION_S, WARMUP_S);
        const figures: Figures = {
          serverItlMs: serverItl(await server.stats()), ttftP50Ms: f.ttftP50Ms, itlP50Ms: f.itlP50Ms, outputTps: f.outputTps, requests: f.requests, serverBusyPct: busy.busyPct(f.startMs, f.endMs), clientCpuPct: busy.busyPct(f.startMs, f.endMs, 'client') };
        rounds[client].push(figures);
        log(`round ${i + 1} ${client}: ttft_p50 ${fmt(figures.ttftP50Ms)} ms, itl_p50 ${fmt(figures.itlP50Ms)} ms, output ${fmt(figures.outputTps)} tok/s, ${figures.requests} requests, server busy ${fmt(figures.serverBusyPct, 1)}%, client CPU ${fmt(figures.clientCpuPct, 1)}%, server's own ms/token ${fmt(figures.serverItlMs)}`);
      }
    }
  } finally {
    busy.stop();
    await gen.kill();
    await server.stop();
    rmSync(outDir, { recursive: true, force: true });
  }
  const host = noise.stop();
  const med = (c: Client, k: keyof Figures): number => median(rounds[c].map((f) => f[k]));
  const diff = (k: keyof Figures): number => (100 * (med('servebench', k) - med('guidellm', k))) / med('guidellm', k);
  printKeys({
    guidellm_ttft_p50_ms: fmt(med('guidellm', 'ttftP50Ms')),
    servebench_ttft_p50_ms: fmt(med('servebench', 'ttftP50Ms')),
    guidellm_itl_p50_ms: fmt(med('guidellm', 'itlP50Ms')),
    servebench_itl_mean_p50_ms: fmt(med('servebench', 'itlP50Ms')),
    guidellm_output_tps: fmt(med('guidellm', 'outputTps')),
    servebench_output_tps: fmt(med('servebench', 'outputTps')),
    server_busy_pct_guidellm: fmt(med('guidellm', 'serverBusyPct'), 1),
    server_busy_pct_servebench: fmt(med('servebench', 'serverBusyPct'), 1),
    server_itl_ms_guidellm: fmt(med('guidellm', 'serverItlMs')),
    server_itl_ms_servebench: fmt(med('servebench', 'serverItlMs')),
    client_cpu_pct_guidellm: fmt(med('guidellm', 'clientCpuPct'), 1),
    client_cpu_pct_servebench: fmt(med('servebench', 'clientCpuPct'), 1),
    rounds: rounds.servebench.length,
    ...noiseKeys(host, {
      guidellm_output_tps: rounds.guidellm.map((f) => f.outputTps),
      servebench_output_tps: rounds.servebench.map((f) => f.outputTps),
    }),
    guidellm_ttft_p50_diff_pct: fmt(diff('ttftP50Ms')),
    guidellm_itl_p50_diff_pct: fmt(diff('itlP50Ms')),
    guidellm_output_tps_diff_pct: fmt(diff('outputTps')),
  });
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
