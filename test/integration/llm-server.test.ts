/**
 * The built-in LLM server (activities/serve/llm/) as the follower runs it: a child process on the real GGUF
 * (SmolLM2-135M-Instruct, from `npm run setup`) with node-llama-cpp, over real HTTP on 127.0.0.1; and the compile
 * step of that GGUF. Generated lengths stay small (≤ 32 tokens) for a busy 2-core host; greedy decoding
 * (temperature 0) makes the answers repeatable.
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createParser } from 'eventsource-parser';
import { findCompiled } from '../../activities/compile/compile';
import { compileInChild } from '../../activities/compile/compile-process';
import { inspectModelFile, modelPreflight } from '../../activities/compile/preflight';
import { parseConfig } from '../../configs/load';
import { spawnLlmServer, type LlmServerProcess } from '../../activities/serve/llm/llm-process';
import { MEASURED_HEADER } from '../../activities/serve/measured-header';
import { buildServeJs } from '../support/serve-js';
import { spawnLoadGenerator } from '../../activities/loadgen/loadgen-process';
import type { LlmRequestBody } from '../../activities/loadgen/llm-types';

const ROOT = path.resolve(__dirname, '..', '..');
const GGUF = path.join(ROOT, 'models', 'third-party', 'SmolLM2-135M-Instruct.Q4_1.gguf');
const MODEL = 'SmolLM2-135M-Instruct.Q4_1';
const PARALLEL = 2;

let server: LlmServerProcess;
let dir: string;

beforeAll(async () => {
  if (!existsSync(GGUF)) throw new Error(`${GGUF} is missing: run \`npm run setup\``);
  dir = mkdtempSync(path.join(tmpdir(), 'llm-server-test-'));
  buildServeJs(['llm/llm-main.ts', '../compile/compile-main.ts', '../loadgen/loadgen-main.ts']);
  server = await spawnLlmServer({ modelPath: GGUF, modelName: MODEL, parallel: PARALLEL, contextSize: 512, threads: 1 });
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const post = (route: string, body: unknown, init: RequestInit = {}) =>
  fetch(`${server.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body), ...init });

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

interface Streamed {
  /** Each content-carrying chunk's text and when it was read. */
  pieces: { text: string; at: number }[];
  finishReason: string | null;
  usage: Usage | null;
  done: boolean;
  /** Every event's JSON (the [DONE] marker aside). */
  events: Record<string, unknown>[];
}

/** Reads an SSE answer with a maintained parser, stamping each event with the read that brought it. */
async function readStream(res: Response): Promise<Streamed> {
  const out: Streamed = { pieces: [], finishReason: null, usage: null, done: false, events: [] };
  let at = 0;
  const parser = createParser({
    onEvent: (e) => {
      if (e.data === '[DONE]') return void (out.done = true);
      const chunk = JSON.parse(e.data) as { choices: { text?: string; delta?: { content?: string }; finish_reason: string | null }[]; usage?: Usage };
      out.events.push(chunk as unknown as Record<string, unknown>);
      const choice = chunk.choices[0];
      const text = choice?.text ?? choice?.delta?.content;
      if (text) out.pieces.push({ text, at });
      if (choice?.finish_reason) out.finishReason = choice.finish_reason;
      if (chunk.usage) out.usage = chunk.usage;
    },
  });
  const decoder = new TextDecoder();
  for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
    at = performance.now();
    parser.feed(decoder.decode(bytes, { stream: true }));
  }
  return out;
}

const tokenize = async (content: string, addSpecial = false): Promise<number[]> =>
  ((await (await post('/tokenize', { content, add_special: addSpecial })).json()) as { tokens: number[] }).tokens;

test('health and the one model it serves, named after the GGUF file', async () => {
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
  const models = await (await fetch(`${server.url}/v1/models`)).json();
  expect(models).toEqual({ object: 'list', data: [{ id: MODEL, object: 'model', created: 0, owned_by: 'servebench' }] });
});

test('a streamed completion: one chunk per token as it is generated, usage exact, the same text as unstreamed', async () => {
  const prompt = 'Once upon a time';
  const ask = { model: MODEL, prompt, max_tokens: 24, temperature: 0, ignore_eos: true };
  const res = await post('/v1/completions', { ...ask, stream: true, stream_options: { include_usage: true } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const s = await readStream(res);
  expect(s.done).toBe(true);
  expect(s.finishReason).toBe('length');
  expect(s.usage).toEqual({ prompt_tokens: (await tokenize(prompt, true)).length, completion_tokens: 24, total_tokens: (await tokenize(prompt, true)).length + 24 });
  // Every token of this English text carries text of its own: as many content chunks as tokens.
  expect(s.pieces).toHaveLength(24);
  // Written as generated, not all at the end: the chunks came in more than one read.
  expect(new Set(s.pieces.map((p) => p.at)).size).toBeGreaterThan(1);
  expect(s.events[0]).toMatchObject({ object: 'text_completion', model: MODEL });
  // The usage chunk is the last before [DONE], with no choices.
  expect(s.events.at(-1)).toMatchObject({ choices: [], usage: s.usage });

  const whole = (await (await post('/v1/completions', ask)).json()) as { choices: { text: string; finish_reason: string }[]; usage: Usage; object: string };
  expect(whole.object).toBe('text_completion');
  expect(whole.choices[0]!.text).toBe(s.pieces.map((p) => p.text).join(''));
  expect(whole.usage).toEqual(s.usage);
});

test('chat through the model template: it stops at end of generation, or with ignore_eos gives exactly max_tokens', async () => {
  const messages = [{ role: 'user', content: 'What is 2+2?' }];
  const stopped = (await (await post('/v1/chat/completions', { messages, max_tokens: 24, temperature: 0 })).json()) as {
    object: string;
    choices: { message: { role: string; content: string }; finish_reason: string }[];
    usage: Usage;
  };
  expect(stopped.object).toBe('chat.completion');
  expect(stopped.choices[0]!.message.role).toBe('assistant');
  expect(stopped.choices[0]!.message.content).toMatch(/4/);
  expect(stopped.choices[0]!.finish_reason).toBe('stop');
  expect(stopped.usage.completion_tokens).toBeLessThan(24);

  const res = await post('/v1/chat/completions', { messages, max_tokens: 24, temperature: 0, ignore_eos: true, stream: true, stream_options: { include_usage: true } });
  const s = await readStream(res);
  expect(s.done).toBe(true);
  expect(s.finishReason).toBe('length');
  expect(s.usage!.completion_tokens).toBe(24);
  expect(s.usage!.prompt_tokens).toBe(stopped.usage.prompt_tokens);
  // OpenAI's chat stream: the role first, then content deltas, then the finish and usage chunks.
  expect(s.events[0]).toMatchObject({ object: 'chat.completion.chunk', choices: [{ delta: { role: 'assistant', content: '' } }] });
  expect(s.pieces.map((p) => p.text).join('')).toContain(stopped.choices[0]!.message.content);
});

test('more requests than sequences: all complete, those beyond `parallel` wait in the queue', async () => {
  await server.resetStats();
  const n = PARALLEL + 3;
  const answers = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      post('/v1/completions', { prompt: `Request ${i}: once upon a time`, max_tokens: 16, temperature: 0, ignore_eos: true }, { headers: { 'content-type': 'application/json', [MEASURED_HEADER]: '1' } }).then(
        async (r) => ({ status: r.status, body: (await r.json()) as { usage: Usage } }),
      ),
    ),
  );
  for (const a of answers) {
    expect(a.status).toBe(200);
    expect(a.body.usage.completion_tokens).toBe(16);
  }
  const stats = await server.stats();
  expect(stats.requests).toBe(n);
  expect(stats.llm!.completionTokens).toBe(16 * n);
  expect(stats.llm!.promptTokens).toBe(answers.reduce((sum, a) => sum + a.body.usage.prompt_tokens, 0));
  expect(stats.llm!.queuedRequests).toBeGreaterThanOrEqual(1);
  expect(stats.computeTimeUs.mean).toBeGreaterThan(0);
});

test('a client that goes away frees its sequence: generation stops, the next request is served', async () => {
  await server.resetStats();
  const long = { prompt: 'Once upon a time', max_tokens: 400, temperature: 0, ignore_eos: true, stream: true };
  // Fill every sequence, then hang up on each after its first chunk.
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      const abort = new AbortController();
      const res = await post('/v1/completions', long, { signal: abort.signal });
      const reader = res.body!.getReader();
      await reader.read();
      abort.abort();
      await reader.cancel().catch(() => undefined);
    }),
  );
  const next = (await (await post('/v1/completions', { prompt: 'Hello', max_tokens: 8, temperature: 0, ignore_eos: true })).json()) as { usage: Usage };
  expect(next.usage.completion_tokens).toBe(8);
  const stats = await server.stats();
  expect(stats.requests).toBe(PARALLEL + 1);
  // Had the abandoned generations run on, they alone would count 2 × 400 tokens.
  expect(stats.llm!.completionTokens).toBeLessThan(PARALLEL * 400);
});

test('replies without usage: the load generator counts output tokens with the GGUF model\'s tokenizer, else by chunks', async () => {
  // No stream_options: this server then sends no usage chunk.
  const body = (i: number): LlmRequestBody => ({
    body: Buffer.from(JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: `Tell me about rivers, part ${i}.` }], max_tokens: 16, ignore_eos: true, temperature: 0, stream: true })),
    promptTokens: null,
    maxTokens: 16,
  });
  const gen = spawnLoadGenerator();
  try {
    const run = (tokenizerModel?: string) =>
      gen.run({ baseUrl: server.url, modelName: MODEL, api: 'openai-chat', llmBodies: [body(1), body(2)], tokenizerModel, mode: 'concurrency', concurrency: 1, warmupMs: 0, durationMs: 1500, requestTimeoutMs: 60_000 });
    const counted = await run(GGUF);
    expect(counted.errors).toBe(0);
    expect(counted.llm!.tokenSource).toBe('tokenizer');
    // The 16 generated tokens, detokenized and counted again: the same or within a couple (merges at piece edges).
    expect(counted.llm!.meanOutputTokens!).toBeGreaterThanOrEqual(13);
    expect(counted.llm!.meanOutputTokens!).toBeLessThanOrEqual(19);
    expect(counted.llm!.truncated).toBe(0); // a count off by a token or two is no truncated stream
    expect(counted.verdict.valid).toBe(true);
    const chunks = await run();
    expect(chunks.llm!.tokenSource).toBe('chunks');
    expect(chunks.llm!.meanOutputTokens).toBe(16); // one chunk per token from this server
  } finally {
    await gen.kill();
  }
}, 180_000);

test('bad requests: 400 (or 404 for another model) with an OpenAI error body', async () => {
  const cases: [string, unknown, number, string | null][] = [
    ['/v1/completions', { prompt: 5 }, 400, 'prompt'],
    ['/v1/completions', '{not json', 400, null],
    ['/v1/completions', { prompt: 'hi', max_tokens: 100_000 }, 400, 'max_tokens'],
    ['/v1/completions', { prompt: 'hi', n: 2 }, 400, 'n'],
    ['/v1/completions', { prompt: [999_999] }, 400, 'prompt.0'],
    ['/v1/chat/completions', { messages: [] }, 400, 'messages'],
    ['/v1/chat/completions', { messages: [{ role: 'robot', content: 'hi' }] }, 400, 'messages.0.role'],
    ['/v1/completions', { model: 'gpt-4', prompt: 'hi' }, 404, 'model'],
  ];
  for (const [route, body, status, param] of cases) {
    const res = await post(route, body);
    expect({ route, body, status: res.status }).toEqual({ route, body, status });
    const err = ((await res.json()) as { error: { message: string; type: string; param: string | null } }).error;
    expect(err.message).toEqual(expect.any(String));
    expect(err.type).toBe('invalid_request_error');
    expect(err.param).toBe(param);
  }
  const missing = await fetch(`${server.url}/v2/models`);
  expect(missing.status).toBe(404);
  expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/no route GET \/v2\/models/);
});

test('/tokenize counts as the prompt is counted', async () => {
  const tokens = await tokenize('Hello world');
  expect(tokens.length).toBe(2);
  expect(tokens.every((t) => Number.isInteger(t) && t >= 0)).toBe(true);
  const answer = (await (await post('/v1/completions', { prompt: 'Hello world', max_tokens: 1, temperature: 0 })).json()) as { usage: Usage };
  expect(answer.usage.prompt_tokens).toBe((await tokenize('Hello world', true)).length);
  expect((await post('/tokenize', { text: 'x' })).status).toBe(400);
});

test('compile of the GGUF: not converted, hashed by its bytes, facts read by loading it, cached', async () => {
  const cacheDir = path.join(dir, 'cache');
  const spec = { model: { path: GGUF }, graphOptimization: 'all' as const };
  const first = (await compileInChild(spec, { cacheDir })).artifact;
  expect(first.cached).toBe(false);
  expect(first.path).toBe(path.join(cacheDir, first.hash, 'model.gguf'));
  expect(first.modelName).toBe(MODEL);
  expect(first.bytes).toBe(first.sourceBytes);
  expect(first.inputs).toEqual([]);
  expect(first.gguf).toMatchObject({ architecture: 'llama', contextLength: 8192, fileType: 'MOSTLY_Q4_1', vocabularySize: 49152, engine: 'node-llama-cpp 3.21.1' });
  // SmolLM2-135M: about 135 M parameters; 2 FLOPs per parameter per output token.
  expect(first.parameters).toBeGreaterThan(120e6);
  expect(first.parameters).toBeLessThan(150e6);
  expect(first.flops).toBe(2 * first.parameters);
  // Same bytes, same artifact, whatever the ONNX-only settings; found without a compile child.
  const again = (await compileInChild({ ...spec, graphOptimization: 'basic' }, { cacheDir })).artifact;
  expect(again).toEqual({ ...first, cached: true });
  expect(await findCompiled(spec, { cacheDir })).toEqual({ ...first, cached: true });

  // A file named .gguf that is not one fails as a GGUF, never reaching the ONNX checker.
  const bogus = path.join(dir, 'bogus.gguf');
  writeFileSync(bogus, 'not a model');
  await expect(compileInChild({ model: { path: bogus }, graphOptimization: 'all' }, { cacheDir })).rejects.toMatchObject({
    type: 'InvalidModel',
    nonRetryable: true,
    message: expect.stringMatching(/bogus\.gguf: not a readable GGUF file/),
  });
});

test('preflight: a GGUF model gets none of the ONNX checks, and must be served over an OpenAI api', () => {
  expect(inspectModelFile(GGUF)).toEqual({ gguf: null });
  const bogus = path.join(dir, 'text.gguf');
  writeFileSync(bogus, 'not a model');
  expect(inspectModelFile(bogus)).toEqual({ gguf: 'it does not start with the GGUF magic bytes' });
  const prompts = 'workload: { mode: concurrency, concurrency: 1, prompts: { inputTokens: 8, outputTokens: 4 } }';
  const job = (api: string, file = GGUF, workload = prompts) =>
    parseConfig(`name: g\nmodel: { path: ${JSON.stringify(file)} }\nserving: { api: ${api} }\n${workload}\n`, 'g.yaml');
  const check = modelPreflight();
  expect(check(job('openai-chat'))).toEqual([]);
  expect(check(job('openai-completions'))).toEqual([]);
  // A .gguf name over kserve-v2 is the config rules' to report (configs/llm-rules.ts), at its line.
  expect(() => job('kserve-v2', GGUF, 'workload: { mode: concurrency, concurrency: 1 }')).toThrow(/model\.path \(line 2\): a GGUF model is served over an OpenAI API/);
  // A GGUF known by its bytes alone (another name) over kserve-v2: the preflight reads it and says so.
  const renamed = path.join(dir, 'model.bin');
  symlinkSync(GGUF, renamed);
  expect(check(job('kserve-v2', renamed, 'workload: { mode: concurrency, concurrency: 1 }'))).toEqual([
    { path: ['serving', 'api'], message: expect.stringMatching(/is a GGUF model, served over an OpenAI api: set serving.api to openai-completions or openai-chat$/) },
  ]);
  expect(check(job('openai-chat', bogus))).toEqual([{ path: ['model', 'path'], message: `expected a GGUF model file, got "${bogus}": it does not start with the GGUF magic bytes` }]);
});
