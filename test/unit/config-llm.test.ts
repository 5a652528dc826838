import { ConfigError, parseConfig } from '../../configs/load';
import { describeLlmJobs } from '../../cli/llm-summary';
import { expandSweep } from '../../configs/matrix';

function errorLines(text: string): string[] {
  try {
    parseConfig(text, 'llm.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message.split('\n');
  }
  throw new Error('expected a ConfigError');
}

const PROMPTS = 'prompts: { inputTokens: 64, outputTokens: { mean: 32, stdev: 4 } }';

// Line 2 is model:, line 3 serving:, line 4 workload:, line 5 the extra lines.
const cfg = (model: string, serving: string, workload = PROMPTS, extra = '') => `name: llm
${model}
serving: { ${serving} }
workload: { mode: concurrency, concurrency: 2, ${workload} }
${extra}`;
const GGUF = 'model: { path: /m/model.gguf }';
const EXTERNAL = 'api: openai-chat, endpoint: "http://127.0.0.1:8000", model: served';

describe('serving.api: openai-* configs', () => {
  test('an external endpoint with an openai api needs no model; serving.model names it', () => {
    const c = parseConfig(cfg('', EXTERNAL), 'llm.yaml');
    expect(c.serving.api).toBe('openai-chat');
    expect(c.model).toEqual({});
    expect(c.workload.prompts).toEqual({ inputTokens: 64, outputTokens: { mean: 32, stdev: 4 }, sharedPrefix: 0, ignoreEos: true });
    expect(errorLines(cfg('', 'api: openai-chat, endpoint: "http://127.0.0.1:8000"'))).toEqual([
      'llm.yaml: serving.endpoint (line 3): needs serving.model: the name of the model to benchmark on that server',
    ]);
  });

  test('anything else still needs a model, kserve-v2 endpoints and the built-in server alike', () => {
    const neither = 'model (line 1): expected exactly one of model.generate or model.path, got neither (only serving.endpoint with an openai-* serving.api needs no model)';
    expect(errorLines(cfg('', 'endpoint: "http://127.0.0.1:8000", model: m', 'batchSize: 1'))).toEqual([`llm.yaml: ${neither}`]);
    expect(errorLines(cfg('', 'api: openai-completions'))).toEqual([`llm.yaml: ${neither}`]);
  });

  test('the built-in server serves a .gguf model.path; a generated or ONNX model is an error naming both keys', () => {
    expect(parseConfig(cfg(GGUF, 'api: openai-completions'), 'llm.yaml').model.path).toBe('/m/model.gguf');
    expect(errorLines(cfg('model: { path: /m/model.onnx }', 'api: openai-completions'))).toEqual([
      'llm.yaml: model.path (line 2): the built-in LLM server (node-llama-cpp) serves GGUF models: expected a .gguf file with serving.api openai-completions, got "/m/model.onnx"',
    ]);
    expect(errorLines(cfg('model: { generate: { family: mlp, layers: 1, hidden: 4, inputShape: [4] } }', 'api: openai-chat'))[0]).toBe(
      'llm.yaml: model.generate (line 2): the built-in LLM server (node-llama-cpp) serves GGUF models: expected model.path to a .gguf file with serving.api openai-chat (generated models are ONNX, for kserve-v2)',
    );
  });

  test('the tensor keys are refused, each saying why', () => {
    const lines = errorLines(`name: llm
model:
  path: /m/model.gguf
  inputs: { x: { value: 1 } }
serving:
  api: openai-chat
  protocol: grpc
  batching: { maxBatchSize: 4 }
workload:
  mode: concurrency
  concurrency: 2
  batchSize: 4
  tensorFormat: binary
  data: d.jsonl
  ${PROMPTS}
`);
    expect(lines).toEqual([
      'llm.yaml: model.inputs (line 4): is for kserve-v2 tensors; serving.api openai-chat sends prompts (workload.prompts)',
      "llm.yaml: serving.protocol (line 7): serving.api openai-chat is OpenAI's HTTP API: expected serving.protocol http, got grpc (gRPC is KServe v2's)",
      'llm.yaml: serving.batching (line 8): is for kserve-v2 tensors servers; an LLM server batches continuously on its own (the built-in one over serving.llm.parallel sequences)',
      'llm.yaml: workload.batchSize (line 12): expected 1 with serving.api openai-chat: a request carries one prompt, and the server batches requests itself (workload.concurrency or rate sets how many are in flight), got 4',
      'llm.yaml: workload.tensorFormat (line 13): binary is for kserve-v2 tensors; serving.api openai-chat sends JSON (expected json, or leave it unset)',
      'llm.yaml: workload.data (line 14): is for kserve-v2 tensors; serving.api openai-chat reads prompts from workload.prompts.file',
    ]);
  });

  test('prompts: synthetic ones need both lengths, or a file (whose prompts are sent as written)', () => {
    expect(errorLines(cfg(GGUF, 'api: openai-chat', 'batchSize: 1'))).toEqual([
      'llm.yaml: workload.prompts (line 4): expected { inputTokens, outputTokens } (synthetic prompts) or { file } (prompts from a file), got nothing (the key is missing)',
    ]);
    expect(errorLines(cfg(GGUF, 'api: openai-chat', 'prompts: { inputTokens: 8 }'))).toEqual([
      'llm.yaml: workload.prompts.outputTokens (line 4): expected a positive integer or { mean, stdev, min, max } (synthetic prompts need inputTokens and outputTokens; or set prompts.file), got nothing (the key is missing)',
    ]);
    expect(errorLines(cfg(GGUF, 'api: openai-chat', 'prompts: { file: p.jsonl, inputTokens: 8, sharedPrefix: 4 }'))).toEqual([
      "llm.yaml: workload.prompts.inputTokens (line 4): applies to synthetic prompts; prompts.file's prompts are sent as written (remove one of the two)",
      "llm.yaml: workload.prompts.sharedPrefix (line 4): applies to synthetic prompts; prompts.file's prompts are sent as written (remove one of the two)",
    ]);
    const file = parseConfig(cfg(GGUF, 'api: openai-chat', 'prompts: { file: p.jsonl }'), '/cfg/llm.yaml', { baseDir: '/cfg' });
    expect(file.workload.prompts?.file).toBe('/cfg/p.jsonl');
    expect(errorLines(cfg(GGUF, 'api: openai-chat', 'prompts: { inputTokens: { mean: 8, min: 9, max: 4 }, outputTokens: 2 }'))).toEqual([
      'llm.yaml: workload.prompts.inputTokens.max (line 4): expected at least min (9), got 4',
    ]);
  });

  test('triton and mlserver serve no OpenAI API; command does; serving.llm is the built-in server\'s', () => {
    expect(errorLines(cfg(GGUF, 'api: openai-chat, system: triton'))).toEqual([
      'llm.yaml: serving.system (line 3): serving.system "triton" cannot serve serving.api openai-chat (it serves KServe v2 tensors); expected builtin (a .gguf model.path), command (an OpenAI-compatible server of your own) or serving.endpoint',
    ]);
    const command = 'api: openai-chat, system: command, command: { run: "srv {model} {port}", ready: /health }';
    expect(parseConfig(cfg(GGUF, command), 'llm.yaml').serving.system).toBe('command');
    expect(errorLines(cfg(GGUF, `${command}, llm: { parallel: 2 }`))).toEqual([
      'llm.yaml: serving.llm (line 3): applies to the built-in LLM server only; serving.system "command" is configured on its own',
    ]);
    expect(parseConfig(cfg(GGUF, 'api: openai-chat, llm: { parallel: 2, contextSize: 512 }'), 'llm.yaml').serving.llm).toEqual({ parallel: 2, contextSize: 512 });
  });
});

describe('serving.api kserve-v2 (the default) refuses the LLM keys', () => {
  test('prompts, stream, the LLM SLOs and a GGUF model each say to set serving.api', () => {
    const set = 'set serving.api openai-completions or openai-chat (unset = kserve-v2: tensors)';
    expect(errorLines(cfg('model: { path: /m/model.gguf }', 'protocol: http', `stream: true, ${PROMPTS}`, 'slo: { p99Ms: 9, ttftMs: 5, tpotMs: 2 }'))).toEqual([
      `llm.yaml: model.path (line 2): a GGUF model is served over an OpenAI API, and serving.api is kserve-v2: ${set}`,
      `llm.yaml: workload.prompts (line 4): workload.prompts applies to LLM requests only, and serving.api is kserve-v2: ${set}`,
      `llm.yaml: workload.stream (line 4): workload.stream applies to LLM requests only, and serving.api is kserve-v2: ${set}`,
      `llm.yaml: slo.ttftMs (line 5): slo.ttftMs applies to LLM requests only, and serving.api is kserve-v2: ${set}`,
      `llm.yaml: slo.tpotMs (line 5): slo.tpotMs applies to LLM requests only, and serving.api is kserve-v2: ${set}`,
    ]);
  });
});

describe('sweeps over serving.api and workload.prompts.* are checked per job', () => {
  test('a swept api value that cannot take the config is reported at that value, naming the combination', () => {
    const text = cfg('', 'endpoint: "http://127.0.0.1:8000", model: served', PROMPTS, 'sweep:\n  serving.api: [openai-chat, openai-completions, kserve-v2]\n');
    const lines = errorLines(text);
    expect(lines).toContain('llm.yaml: workload.prompts (line 4): workload.prompts applies to LLM requests only, and serving.api is kserve-v2: set serving.api openai-completions or openai-chat (unset = kserve-v2: tensors), in the sweep job with serving.api = "kserve-v2"');
    expect(lines.some((l) => l.includes('got neither') && l.includes('serving.api = "kserve-v2"'))).toBe(true);
    const ok = parseConfig(cfg('', 'endpoint: "http://127.0.0.1:8000", model: served', PROMPTS, 'sweep:\n  serving.api: [openai-chat, openai-completions]\n'), 'llm.yaml');
    expect(ok.sweep).toEqual({ 'serving.api': ['openai-chat', 'openai-completions'] });
  });

  test('swept prompt lengths are validated like fields', () => {
    const sweep = 'sweep:\n  workload.prompts.outputTokens: [16, { mean: 64, stdev: 8, min: 1 }, 0]\n';
    expect(errorLines(cfg(GGUF, 'api: openai-completions', PROMPTS, sweep))).toEqual([
      'llm.yaml: sweep.workload.prompts.outputTokens[2] (line 6): expected a positive integer, got 0',
    ]);
    const ok = parseConfig(cfg(GGUF, 'api: openai-completions', PROMPTS, 'sweep:\n  workload.prompts.outputTokens: [16, { mean: 64 }]\n'), 'llm.yaml');
    expect(ok.sweep?.['workload.prompts.outputTokens']).toEqual([16, { mean: 64, stdev: 0 }]);
  });

  test('a swept prompts file is made absolute next to the config file', () => {
    const c = parseConfig(cfg(GGUF, 'api: openai-chat', 'prompts: { file: a.jsonl }', 'sweep:\n  workload.prompts.file: [a.jsonl, /abs/b.json]\n'), '/cfg/llm.yaml', { baseDir: '/cfg' });
    expect(c.sweep?.['workload.prompts.file']).toEqual(['/cfg/a.jsonl', '/abs/b.json']);
  });
});

describe('servebench validate says what an LLM config sends', () => {
  test('one line per kind of request, with the tokenizer that counts it', () => {
    const c = parseConfig(cfg(GGUF, 'api: openai-chat', 'prompts: { inputTokens: { mean: 64, stdev: 8 }, outputTokens: 16, sharedPrefix: 4 }', 'sweep:\n  workload.concurrency: [1, 2]\n'), 'llm.yaml');
    expect(describeLlmJobs(expandSweep(c))).toEqual([
      '  2 jobs: openai-chat to the built-in LLM server, streamed; synthetic prompts of mean 64 stdev 8 input tokens after a shared prefix of 4, output tokens 16, ignore_eos; counted with model.gguf\'s tokenizer',
    ]);
    const ext = parseConfig(cfg('', EXTERNAL, 'stream: false, prompts: { file: /p/sharegpt.json, ignoreEos: false }'), 'llm.yaml');
    expect(describeLlmJobs(expandSweep(ext))).toEqual([
      '  1 job: openai-chat to http://127.0.0.1:8000 (model "served"), not streamed; prompts from sharegpt.json; lengths approximated by words (no local GGUF model: the server\'s usage counts)',
    ]);
    expect(describeLlmJobs(expandSweep(parseConfig(cfg('model: { path: /m/a.onnx }', 'protocol: http', 'batchSize: 1'), 'llm.yaml')))).toEqual([]);
  });
});
