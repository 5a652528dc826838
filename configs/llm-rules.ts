/**
 * What serving.api asks of the rest of a config: kserve-v2 sends tensors (model.inputs, workload.data, batches),
 * openai-completions / openai-chat send prompts (workload.prompts) to an OpenAI-compatible LLM server over HTTP.
 * Each key that the job's api cannot honour is an issue at that key, saying why. Run per job (validate.ts), so a
 * swept serving.api or workload.prompts.* is checked in each combination. Defensive: the config may be partly invalid.
 */
import type { IssueAt } from './errors';
import { isLlmApi, LLM_SLO_KEYS, type Config, type ServingApi } from './schema';

const SET_API = 'set serving.api openai-completions or openai-chat (unset = kserve-v2: tensors)';

/** A GGUF file: what the built-in LLM server (node-llama-cpp) serves. */
export const isGgufPath = (path: unknown): boolean => typeof path === 'string' && /\.gguf$/i.test(path);

export function llmConfigIssues(config: Config): IssueAt[] {
  const api: ServingApi = config?.serving?.api ?? 'kserve-v2';
  return isLlmApi(api) ? openaiIssues(config, api) : kserveIssues(config);
}

/** kserve-v2: the LLM-only keys mean nothing there (most likely serving.api was forgotten). */
function kserveIssues(config: Config): IssueAt[] {
  const issues: IssueAt[] = [];
  const w = config?.workload;
  const llmOnly = (path: string[], what: string) =>
    issues.push({ path, message: `${what} applies to LLM requests only, and serving.api is kserve-v2: ${SET_API}` });
  if (w?.prompts !== undefined) llmOnly(['workload', 'prompts'], 'workload.prompts');
  if (w?.stream !== undefined) llmOnly(['workload', 'stream'], 'workload.stream');
  for (const key of LLM_SLO_KEYS) if (config?.slo?.[key] !== undefined) llmOnly(['slo', key], `slo.${key}`);
  if (config?.serving?.llm !== undefined) llmOnly(['serving', 'llm'], 'serving.llm (the built-in LLM server\'s settings)');
  if (isGgufPath(config?.model?.path)) {
    issues.push({ path: ['model', 'path'], message: `a GGUF model is served over an OpenAI API, and serving.api is kserve-v2: ${SET_API}` });
  }
  return issues;
}

function openaiIssues(config: Config, api: ServingApi): IssueAt[] {
  const issues: IssueAt[] = [];
  const at = (path: (string | number)[], message: string) => issues.push({ path, message });
  const s = config?.serving;
  const w = config?.workload;
  const named = `serving.api ${api}`;
  if (s?.protocol === 'grpc') at(['serving', 'protocol'], `${named} is OpenAI's HTTP API: expected serving.protocol http, got grpc (gRPC is KServe v2's)`);
  // The tensor keys: an OpenAI request carries one prompt as text, the server tokenizes and batches it.
  const tensors = 'is for kserve-v2 tensors';
  if (config?.model?.inputs !== undefined) at(['model', 'inputs'], `${tensors}; ${named} sends prompts (workload.prompts)`);
  if (w?.data !== undefined) at(['workload', 'data'], `${tensors}; ${named} reads prompts from workload.prompts.file`);
  if (w?.tensorFormat === 'binary') at(['workload', 'tensorFormat'], `binary ${tensors}; ${named} sends JSON (expected json, or leave it unset)`);
  if (typeof w?.batchSize === 'number' && w.batchSize > 1) {
    at(['workload', 'batchSize'], `expected 1 with ${named}: a request carries one prompt, and the server batches requests itself (workload.concurrency or rate sets how many are in flight), got ${w.batchSize}`);
  }
  if (s?.batching !== undefined) {
    at(['serving', 'batching'], `${tensors} servers; an LLM server batches continuously on its own (the built-in one over serving.llm.parallel sequences)`);
  }
  issues.push(...promptIssues(w?.prompts));
  issues.push(...openaiServerIssues(config, named));
  return issues;
}

/** Synthetic prompts need both lengths; a file's prompts are sent as written (its output lengths, or outputTokens). */
function promptIssues(p: NonNullable<Config['workload']>['prompts'] | undefined): IssueAt[] {
  const at = (key: string[], message: string): IssueAt => ({ path: ['workload', 'prompts', ...key], message });
  if (p === undefined || p === null || typeof p !== 'object') {
    return [at([], 'expected { inputTokens, outputTokens } (synthetic prompts) or { file } (prompts from a file), got nothing (the key is missing)')];
  }
  if (p.file !== undefined) {
    const issues: IssueAt[] = [];
    if (p.inputTokens !== undefined) issues.push(at(['inputTokens'], 'applies to synthetic prompts; prompts.file\'s prompts are sent as written (remove one of the two)'));
    if (typeof p.sharedPrefix === 'number' && p.sharedPrefix > 0) issues.push(at(['sharedPrefix'], 'applies to synthetic prompts; prompts.file\'s prompts are sent as written (remove one of the two)'));
    return issues;
  }
  const missing = (['inputTokens', 'outputTokens'] as const).filter((k) => p[k] === undefined);
  return missing.map((k) =>
    at([k], `expected a positive integer or { mean, stdev, min, max } (synthetic prompts need inputTokens and outputTokens; or set prompts.file), got nothing (the key is missing)`),
  );
}

/** Who serves an OpenAI API: an external endpoint (serving.model names its model), `command`, or builtin on a GGUF. */
function openaiServerIssues(config: Config, named: string): IssueAt[] {
  const s = config?.serving;
  const issues: IssueAt[] = [];
  const at = (path: string[], message: string) => issues.push({ path, message });
  const system = s?.system ?? 'builtin';
  if (system === 'triton' || system === 'mlserver') {
    at(['serving', 'system'], `serving.system "${system}" cannot serve ${named} (it serves KServe v2 tensors); expected builtin (a .gguf model.path), command (an OpenAI-compatible server of your own) or serving.endpoint`);
    return issues;
  }
  const builtinServer = system === 'builtin' && s?.endpoint === undefined;
  if (s?.llm !== undefined && !builtinServer) {
    at(['serving', 'llm'], `applies to the built-in LLM server only; ${s?.endpoint !== undefined ? 'an external endpoint' : `serving.system "${system}"`} is configured on its own`);
  }
  if (!builtinServer) return issues;
  const m = config?.model;
  const gguf = 'the built-in LLM server (node-llama-cpp) serves GGUF models';
  if (m?.generate !== undefined) at(['model', 'generate'], `${gguf}: expected model.path to a .gguf file with ${named} (generated models are ONNX, for kserve-v2)`);
  else if (typeof m?.path === 'string' && !isGgufPath(m.path)) at(['model', 'path'], `${gguf}: expected a .gguf file with ${named}, got "${m.path}"`);
  return issues;
}
