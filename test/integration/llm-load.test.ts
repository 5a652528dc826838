/**
 * The LLM load generator (serving.api openai-*) against a real OpenAI-compatible server with set delays:
 * llm-katan 0.22's echo backend (PyPI, installed by setup into .venv-systems) with --ttft-ms 200 --itl-ms 20. What it
 * does with them (measured with curl and read in its source, llm_katan/model.py and providers/openai.py): it sleeps
 * --ttft-ms before answering at all (the response head), streamed it sleeps --ttft-ms AGAIN before a role-only chunk,
 * then --itl-ms before each 4-character content chunk, then sends a content-less chunk with usage (completion_tokens:
 * the echo's words, whatever max_tokens) and [DONE]. So its first token comes 2 × 200 + 20 = 420 ms after the
 * request, and content chunks 20 ms apart. Unstreamed, it answers after one --ttft-ms. It serves only
 * /v1/chat/completions, and refuses requests without an Authorization header.
 *
 * Tolerances, on a 2-core host shared with other test runs (so the event loop may be late by tens of ms):
 * - TTFT p50 in [400, 600) ms: below 2 × 200 is impossible with the right reference time, and a reference taken at
 *   the response head (~220 ms), or a TTFT read off the role chunk (~400 ms) or last chunk (~1 s), falls outside or on
 *   the edge; 180 ms above 420 for a busy host.
 * - ITL p50 in [18, 40] ms: katan's asyncio.sleep(0.02) between chunks puts them 20-21 ms apart on the wire; counting
 *   chunks without content (role, usage) or gaps between requests would move the median far outside.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { runLoad, type LoadOptions } from '../../activities/loadgen/driver';
import type { LlmRequestBody } from '../../activities/loadgen/llm-types';
import { spawnLoadGenerator } from '../../activities/loadgen/loadgen-process';
import { freePort } from '../support/ports';

const KATAN = path.join(__dirname, '../../.venv-systems/bin/llm-katan');
const TTFT_MS = 200;
const ITL_MS = 20;
/** llm-katan sleeps --ttft-ms twice before its first content chunk (see above). */
const FIRST_TOKEN_MIN_MS = 2 * TTFT_MS;
const FIRST_TOKEN_MAX_MS = 2 * TTFT_MS + ITL_MS + 180;

interface Katan {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

async function startKatan(itlMs = ITL_MS): Promise<Katan> {
  const port = await freePort();
  const proc = spawn(KATAN, ['--backend', 'echo', '--host', '127.0.0.1', '--port', String(port), '--model', 'echo-model', '--ttft-ms', String(TTFT_MS), '--itl-ms', String(itlMs)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`llm-katan exited (${proc.exitCode}): ${stderr}`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`llm-katan not ready on ${url} after 90 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    proc,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

function chat(opts: { stream: boolean; maxTokens?: number; ignoreEos?: boolean; prompt?: string }): LlmRequestBody {
  const maxTokens = opts.maxTokens ?? 64;
  const body: Record<string, unknown> = {
    model: 'echo-model',
    messages: [{ role: 'user', content: opts.prompt ?? 'the quick brown fox' }],
    max_tokens: maxTokens,
    stream: opts.stream,
  };
  if (opts.stream) body.stream_options = { include_usage: true };
  if (opts.ignoreEos) body.ignore_eos = true;
  return { body: Buffer.from(JSON.stringify(body)), promptTokens: 4, maxTokens };
}

let katan: Katan;
beforeAll(async () => (katan = await startKatan()), 120_000);
afterAll(async () => katan?.stop());

const base = (over: Partial<LoadOptions>): LoadOptions => ({
  baseUrl: katan.url,
  modelName: 'echo-model',
  api: 'openai-chat',
  llmBodies: [chat({ stream: true })],
  mode: 'concurrency',
  concurrency: 2,
  warmupMs: 0,
  durationMs: 2500,
  requestTimeoutMs: 30_000,
  ...over,
});

test('closed loop, streamed: TTFT and ITL are what llm-katan was told; TPOT, tokens and goodput from its usage', async () => {
  const r = await runLoad(base({ llmSlo: { ttftMs: 10_000, e2eMs: 30_000 } }));
  expect(r.errors).toBe(0);
  expect(r.ok).toBeGreaterThanOrEqual(2);
  const llm = r.llm!;
  expect(llm).toMatchObject({ api: 'openai-chat', stream: true, tokenSource: 'usage', truncated: 0, truncatedSample: null });
  expect(llm.ttft.count).toBe(r.ok);
  expect(llm.ttft.p50Ms!).toBeGreaterThanOrEqual(FIRST_TOKEN_MIN_MS);
  expect(llm.ttft.p50Ms!).toBeLessThan(FIRST_TOKEN_MAX_MS);
  expect(llm.itl.p50Ms!).toBeGreaterThanOrEqual(18);
  expect(llm.itl.p50Ms!).toBeLessThanOrEqual(40);
  // The echo of "the quick brown fox" streams ~30 content chunks: ~29 gaps per request.
  expect(llm.itl.count).toBeGreaterThan(20 * r.ok);
  expect(llm.itlMeanPerRequest.count).toBe(r.ok);
  // usage.completion_tokens counts the echo's words (fewer than its chunks), so TPOT is longer than ITL.
  expect(llm.tpot.count).toBe(r.ok);
  expect(llm.tpot.p50Ms!).toBeGreaterThan(llm.itl.p50Ms!);
  expect(llm.outputTokens).toBeGreaterThan(0);
  // The window's tokens (whichever request made them, a stream's tokens spread over its chunks), rounded as stored.
  expect(Math.abs(llm.outputTokensPerS - (llm.outputTokens * 1000) / r.measuredMs)).toBeLessThanOrEqual(500 / r.measuredMs);
  expect(llm.inputTokens).toBeGreaterThan(0);
  expect(llm.meanMaxTokens).toBe(64);
  // Every request meets objectives this loose: goodput (the pace × the good share) is the throughput.
  expect(llm.goodRequests).toBe(r.ok);
  expect(llm.goodput).toBeCloseTo(r.throughput, 6);
  expect(r.verdict.reasons.filter((x) => /streams ended early/.test(x))).toEqual([]);
  // The E2E latency holds the whole stream: TTFT and ~29 gaps.
  expect(r.latency.p50Ms!).toBeGreaterThan(llm.ttft.p50Ms! + 20 * 18);
}, 120_000);

test('open loop: TTFT counts from the SCHEDULED send, so a late sender shows in it', async () => {
  // The first request is due 300 ms in; the event loop is held from the window's opening (at ~0 ms) for 800 ms, so it
  // leaves >= 500 ms late and its TTFT from the schedule is >= 900 ms, where from its actual send it would be ~420 ms.
  // Nothing is in flight while the loop is held, so no chunk time is delayed by it. The later sends (1.3 s, 2.6 s) are on time.
  const r = await runLoad(
    base({
      mode: 'trace',
      trace: [300, 1300], // repeated every 2.3 s: 300, 1300, 2600 in a 3 s window
      durationMs: 3000,
      onWindowStart: () => {
        const until = performance.now() + 800;
        while (performance.now() < until) {
          // hold the event loop: the send due at 300 ms goes out late
        }
      },
    }),
  );
  expect(r.errors).toBe(0);
  expect(r.ok).toBeGreaterThanOrEqual(3);
  expect(r.sendLag!.maxMs).toBeGreaterThanOrEqual(500);
  const llm = r.llm!;
  expect(llm.ttft.maxMs!).toBeGreaterThanOrEqual(FIRST_TOKEN_MIN_MS + 500);
  expect(llm.ttft.p50Ms!).toBeGreaterThanOrEqual(FIRST_TOKEN_MIN_MS);
  expect(llm.ttft.p50Ms!).toBeLessThan(FIRST_TOKEN_MAX_MS);
  // The gaps between chunks do not depend on the reference time.
  expect(llm.itl.p50Ms!).toBeGreaterThanOrEqual(18);
  expect(llm.itl.p50Ms!).toBeLessThanOrEqual(40);
}, 120_000);

test('server mode with burstiness: gamma arrivals at the rate, TTFT from the schedule', async () => {
  const r = await runLoad(base({ mode: 'server', rate: 3, burstiness: 4, durationMs: 3000 }));
  expect(r.errors).toBe(0);
  expect(r.ok).toBeGreaterThanOrEqual(3);
  expect(r.targetRate).toBe(3);
  expect(r.llm!.ttft.p50Ms!).toBeGreaterThanOrEqual(FIRST_TOKEN_MIN_MS);
  expect(r.llm!.ttft.p50Ms!).toBeLessThan(FIRST_TOKEN_MAX_MS);
}, 120_000);

test('stream false: E2E latency and tokens, no TTFT nor ITL', async () => {
  const r = await runLoad(base({ stream: false, llmBodies: [chat({ stream: false })] }));
  expect(r.errors).toBe(0);
  expect(r.ok).toBeGreaterThanOrEqual(2);
  expect(r.latency.p50Ms!).toBeGreaterThanOrEqual(TTFT_MS);
  const llm = r.llm!;
  expect(llm).toMatchObject({ stream: false, tokenSource: 'usage', truncated: 0 });
  expect(llm.ttft.count).toBe(0);
  expect(llm.ttft.p50Ms).toBeNull();
  expect(llm.itl.count).toBe(0);
  expect(llm.tpot.count).toBe(0);
  expect(llm.outputTokens).toBeGreaterThan(0);
}, 120_000);

test('ignore_eos with more max_tokens than the server gives: truncated streams make the run invalid, in words', async () => {
  const r = await runLoad(base({ llmBodies: [chat({ stream: true, maxTokens: 1000, ignoreEos: true })] }));
  expect(r.errors).toBe(0);
  expect(r.llm!.truncated).toBe(r.ok);
  expect(r.llm!.truncatedSample).toMatch(/^\d+ of 1000 output tokens with ignore_eos \(finish_reason stop\)$/);
  expect(r.verdict.valid).toBe(false);
  expect(r.verdict.reasons).toContainEqual(expect.stringMatching(new RegExp(`^${r.ok} of ${r.ok} streams ended early: \\d+ of 1000 output tokens`)));
}, 120_000);

test('openai-completions against a chat-only server: every request an HTTP 404, counted and named', async () => {
  const r = await runLoad(base({ api: 'openai-completions', llmBodies: [chat({ stream: true })], durationMs: 1000 }));
  expect(r.ok).toBe(0);
  expect(r.errors).toBeGreaterThan(0);
  expect(r.errorCounts).toEqual([{ message: 'HTTP 404: Not Found', count: r.errors }]);
  expect(r.verdict.reasons).toContain(`all ${r.errors.toLocaleString('en-US')} requests failed: HTTP 404: Not Found`);
  expect(r.llm!.ttft.count).toBe(0);
}, 120_000);

test('early stopping on TTFT: the run lasts until enough TTFT samples bound the percentile', async () => {
  // p90 needs 64 samples: at concurrency 16 (~1.4 s a request) that is ~6 s, past the 1 s minimum.
  const r = await runLoad(base({ concurrency: 16, durationMs: 1000, maxDurationMs: 60_000, earlyStopping: { percentile: 90, metric: 'ttft' } }));
  expect(r.errors).toBe(0);
  expect(r.earlyStopping).toMatchObject({ percentile: 90, metric: 'ttft', queriesNeeded: 64 });
  expect(r.llm!.ttft.count).toBeGreaterThanOrEqual(64);
  expect(r.earlyStopping!.estimateMs!).toBeGreaterThanOrEqual(FIRST_TOKEN_MIN_MS);
  expect(r.verdict.reasons.filter((x) => /TTFT/.test(x))).toEqual([]);
}, 120_000);

test('the LLM bodies cross into the load generator process (Buffers arrive as Uint8Arrays)', async () => {
  const gen = spawnLoadGenerator();
  try {
    const r = await gen.run(base({ durationMs: 1000, concurrency: 1 }));
    expect(r.errors).toBe(0);
    expect(r.ok).toBeGreaterThanOrEqual(1);
    expect(r.llm!.ttft.p50Ms!).toBeGreaterThanOrEqual(FIRST_TOKEN_MIN_MS);
  } finally {
    await gen.kill();
  }
}, 120_000);

test('a server killed mid-stream gives errors, not a hang', async () => {
  const slow = await startKatan(50); // ~2 s per stream: 0.4 s to the first token, ~30 chunks 50 ms apart
  try {
    let killed = false;
    const r = await runLoad({
      ...base({ baseUrl: slow.url, durationMs: 3000 }),
      onProgress: (p) => {
        if (!killed && p.elapsedMs >= 1000) {
          killed = true;
          slow.proc.kill('SIGKILL'); // both requests in flight, normally mid-stream (their first token at ~0.4 s, their end at ~2 s)
        }
      },
    });
    expect(killed).toBe(true);
    expect(r.errors).toBeGreaterThanOrEqual(2);
    const messages = r.errorCounts.map((e) => e.message);
    // The requests in flight are cut ("response aborted: " once their reply had begun, which a busy host may delay),
    // the ones after find nothing listening; none waited for its 30 s deadline.
    expect(messages.filter((m) => /ECONNRESET/.test(m)).length).toBeGreaterThanOrEqual(1);
    expect(messages.filter((m) => !/^(response aborted: )?connection reset by server \(ECONNRESET\)$|^connection refused/.test(m))).toEqual([]);
  } finally {
    await slow.stop();
  }
}, 120_000);
