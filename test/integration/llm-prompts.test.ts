/**
 * LLM requests against real parts: prompts fitted with the bundled GGUF model's own tokenizer (node-llama-cpp in
 * the builder's child process), counted again here by an independent node-llama-cpp process; and attaching to
 * an external OpenAI-compatible server (a real llm-katan, echo backend) by its GET /v1/models.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { drawTokenCount } from '../../activities/inputs/prompt-lengths';
import { PROMPT_WORDS } from '../../activities/inputs/prompt-words';
import { buildLlmRequestsInChild } from '../../activities/inputs/prompts-process';
import type { PromptSettings } from '../../activities/inputs/prompts';
import { seededUniform } from '../../activities/rng';
import { ExternalServerError } from '../../activities/serve/external';
import { attachOpenAiServer } from '../../activities/serve/openai-external';
import { exited } from '../../activities/process/pinned-spawn';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { parseConfig } from '../../configs/load';
import { createFollowerActivities } from '../../activities/follower';
import type { CompileResult, MeasureResult } from '../../activities/types';
import { servebench } from '../support/cli';
import { freePort } from '../support/ports';
import { buildEntryJs } from '../support/serve-js';

const ROOT = path.resolve(__dirname, '..', '..');
const GGUF = path.join(ROOT, 'models', 'third-party', 'SmolLM2-135M-Instruct.Q4_1.gguf');
const KATAN = path.join(ROOT, '.venv-systems', 'bin', 'llm-katan');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'llm-prompts-'));
  buildEntryJs(['activities/inputs/prompts-main.ts']);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Token counts of `texts` by the GGUF's tokenizer, in a separate node process (node-llama-cpp is an ES module). A
 * script file, not `node -e`: node-llama-cpp's binary check forks node with this process's exec arguments.
 */
function countTokens(texts: string[]): number[] {
  const script = path.join(dir, 'count-tokens.mjs');
  const input = path.join(dir, 'texts.json');
  writeFileSync(input, JSON.stringify(texts));
  writeFileSync(script, `
    import { readFileSync } from 'node:fs';
    import { getLlama, LlamaLogLevel } from ${JSON.stringify(path.join(ROOT, 'node_modules', 'node-llama-cpp', 'dist', 'index.js'))};
    const texts = JSON.parse(readFileSync(${JSON.stringify(input)}, 'utf8'));
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath: ${JSON.stringify(GGUF)}, vocabOnly: true });
    process.stdout.write(JSON.stringify(texts.map((t) => model.tokenize(t).length)));
    await model.dispose(); await llama.dispose();`);
  return JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8' })) as number[];
}

const settings = (p: Partial<PromptSettings['prompts']>, more: Partial<PromptSettings> = {}): PromptSettings => ({
  api: 'openai-completions', modelName: 'smollm2', stream: true, seed: 3, requests: 24,
  prompts: { sharedPrefix: 0, ignoreEos: true, ...p }, ...more,
});
const bodyOf = (b: Buffer) => JSON.parse(b.toString()) as { prompt?: string; messages?: { content: string }[]; max_tokens: number; model: string };

describe('prompts fitted with the GGUF model\'s own tokenizer', () => {
  test('each prompt has the drawn number of tokens (within 1), counted again independently', async () => {
    const inputTokens = { mean: 96, stdev: 24, min: 16, max: 200 };
    const built = await buildLlmRequestsInChild({ settings: settings({ inputTokens, outputTokens: 8 }), modelPath: GGUF });
    expect(built).toMatchObject({ tokenizer: 'model', source: 'synthetic' });
    expect(built.bodies).toHaveLength(24);
    // The builder's draws: input then output per request, from workload.seed's stream.
    const u = seededUniform(3);
    const drawn = built.bodies.map(() => {
      const input = drawTokenCount(inputTokens, u);
      drawTokenCount(8, u);
      return input;
    });
    const texts = built.bodies.map((b) => bodyOf(b.body).prompt!);
    const counted = countTokens(texts);
    built.bodies.forEach((b, i) => {
      expect(Math.abs(counted[i] - drawn[i])).toBeLessThanOrEqual(1);
      expect(b.promptTokens).toBe(counted[i]);
      expect(b.maxTokens).toBe(8);
      expect(bodyOf(b.body)).toMatchObject({ model: 'smollm2', max_tokens: 8 });
    });
  }, 120_000);

  test('every prompt word is one token with its leading space (so the word approximation is close)', () => {
    const counts = countTokens(PROMPT_WORDS.map((w) => ` ${w}`));
    expect(PROMPT_WORDS.filter((_, i) => counts[i] !== 1)).toEqual([]);
  }, 120_000);

  test('a shared prefix: every chat prompt starts with the same text and is prefix + inputTokens long', async () => {
    const built = await buildLlmRequestsInChild({ settings: settings({ inputTokens: 40, outputTokens: 4, sharedPrefix: 64 }, { api: 'openai-chat' }), modelPath: GGUF });
    const texts = built.bodies.map((b) => bodyOf(b.body).messages![0].content);
    let common = 0;
    while (texts.every((t) => t[common] === texts[0][common])) common++;
    const prefixTokens = countTokens([texts[0].slice(0, common).replace(/\s+\S*$/, '')])[0];
    expect(prefixTokens).toBeGreaterThanOrEqual(60);
    expect(prefixTokens).toBeLessThanOrEqual(64);
    for (const n of countTokens(texts)) expect(Math.abs(n - 104)).toBeLessThanOrEqual(1);
  }, 120_000);

  test('ShareGPT: max_tokens is the reply\'s length in the model\'s tokens; a bad file names itself and the entry', async () => {
    const reply = 'The capital of France is Paris, a city on the Seine.';
    const file = path.join(dir, 'sharegpt.json');
    writeFileSync(file, JSON.stringify([{ conversations: [{ from: 'human', value: 'What is the capital of France?' }, { from: 'gpt', value: reply }] }]));
    const built = await buildLlmRequestsInChild({ settings: settings({}), modelPath: GGUF, file });
    expect(built.bodies.map((b) => b.maxTokens)).toEqual(countTokens([reply]));
    expect(built.bodies[0].promptTokens).toBe(countTokens(['What is the capital of France?'])[0]);
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"prompt": "a", "output_tokens": 2}\n{"prompt": 5}\n');
    await expect(buildLlmRequestsInChild({ settings: settings({}), modelPath: GGUF, file: bad })).rejects.toThrow(`${bad}: line 2: expected an object with "prompt"`);
  }, 120_000);
});

describe('an external OpenAI-compatible server (llm-katan, echo backend)', () => {
  let katan: ChildProcess | undefined;
  let base = '';

  beforeAll(async () => {
    if (!existsSync(KATAN)) throw new Error(`${KATAN} is missing: run npm run setup`);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    katan = spawn(KATAN, ['--backend', 'echo', '--host', '127.0.0.1', '--port', String(port), '--model', 'echo-model', '--log-level', 'warning'], { stdio: 'ignore' });
    // Ready once /health answers (python start-up takes seconds on a busy host; no tight deadline).
    for (let i = 0; i < 600; i++) {
      if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) return;
      if (katan.exitCode !== null) throw new Error(`llm-katan exited (${katan.exitCode})`);
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('llm-katan did not answer /health');
  }, 180_000);

  afterAll(async () => {
    if (katan && katan.exitCode === null) {
      katan.kill('SIGTERM');
      await exited(katan);
    }
  });

  test('attaching checks GET /v1/models lists serving.model; a trailing /v1 is stripped from the base URL', async () => {
    await expect(attachOpenAiServer(`${base}/v1`, 'echo-model')).resolves.toBe(base);
    await expect(attachOpenAiServer(`${base}/`, 'echo-model')).resolves.toBe(base);
    const missing = attachOpenAiServer(base, 'gpt-4o');
    await expect(missing).rejects.toBeInstanceOf(ExternalServerError);
    await expect(attachOpenAiServer(base, 'gpt-4o')).rejects.toThrow(`serving.endpoint ${base}: serving.model "gpt-4o" is not among the models GET ${base}/v1/models lists: "echo-model"`);
  });

  test('the follower: nothing to compile without a model; measuring a model the server lacks fails non-retryable, naming what it lists', async () => {
    const config = parseConfig(`name: ext
serving: { api: openai-chat, endpoint: "${base}/v1", model: nope }
workload: { mode: concurrency, concurrency: 1, prompts: { inputTokens: 8, outputTokens: 4 } }
`, 'ext.yaml');
    const activities = createFollowerActivities({ cluster: 'local', node: 'n1', cacheDir: path.join(dir, 'cache') });
    const env = new MockActivityEnvironment();
    const compiled: CompileResult = await env.run(activities.compile as (i: unknown) => Promise<CompileResult>, { jobId: 'j1', config });
    expect(compiled).toMatchObject({ artifact: { hash: 'none', path: '', inputs: [], modelName: 'nope' }, cores: [] });
    const err = await env
      .run(activities.measure as (i: unknown) => Promise<MeasureResult>, { jobId: 'j1', config, artifact: compiled.artifact })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'ExternalServerUnavailable', nonRetryable: true });
    expect((err as Error).message).toBe(`serving.endpoint ${base}/v1: serving.model "nope" is not among the models GET ${base}/v1/models lists: "echo-model"`);
  }, 60_000);

  test('an endpoint that does not answer is an error naming the URL', async () => {
    const port = await freePort();
    await expect(attachOpenAiServer(`http://127.0.0.1:${port}`, 'echo-model')).rejects.toThrow(`serving.endpoint http://127.0.0.1:${port}: GET http://127.0.0.1:${port}/v1/models failed`);
  });
});

describe('servebench validate on LLM configs (the built CLI)', () => {
  test('a good one says what each job sends; a bad prompts file and a kserve-v2 job with prompts exit 2 naming path and line', async () => {
    const home = path.join(dir, '.servebench');
    const file = path.join(dir, 'llm.yaml');
    writeFileSync(path.join(dir, 'prompts.jsonl'), '{"prompt": "hi", "output_tokens": 3}\n{"messages": [{"role": "user", "content": "x"}], "output_tokens": 2}\n');
    writeFileSync(file, `name: llm
model: { path: ${GGUF} }
serving: { api: openai-chat }
workload:
  mode: concurrency
  concurrency: 1
  prompts: { inputTokens: { mean: 64, stdev: 8 }, outputTokens: 16 }
sweep:
  workload.concurrency: [1, 2]
`);
    const ok = await servebench(['validate', file], { SERVEBENCH_HOME: home });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('expands to 2 jobs');
    expect(ok.stdout).toContain("2 jobs: openai-chat to the built-in LLM server, streamed; synthetic prompts of mean 64 stdev 8 input tokens, output tokens 16, ignore_eos; counted with SmolLM2-135M-Instruct.Q4_1.gguf's tokenizer");
    writeFileSync(file, `name: llm
serving: { api: openai-completions, endpoint: "http://127.0.0.1:9/v1", model: m }
workload:
  mode: concurrency
  concurrency: 1
  prompts: { file: prompts.jsonl }
sweep:
  serving.api: [openai-completions, kserve-v2]
`);
    const bad = await servebench(['validate', file], { SERVEBENCH_HOME: home });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${file}: workload.prompts (line 6): workload.prompts applies to LLM requests only, and serving.api is kserve-v2`);
    expect(bad.stderr).toContain('in the sweep job with serving.api = "kserve-v2"');
    writeFileSync(file, `name: llm
serving: { api: openai-completions, endpoint: "http://127.0.0.1:9/v1", model: m }
workload:
  mode: concurrency
  concurrency: 1
  prompts: { file: prompts.jsonl }
`);
    const badFile = await servebench(['validate', file], { SERVEBENCH_HOME: home });
    expect(badFile.code).toBe(2);
    expect(badFile.stderr).toContain(`${file}: workload.prompts.file (line 6): ${path.join(dir, 'prompts.jsonl')}: line 2: "messages" are a chat; serving.api openai-completions sends a "prompt" (use openai-chat)`);
  }, 120_000);
});
