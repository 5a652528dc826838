/**
 * The LLM requests of a job (serving.api openai-*), built on the follower before the clock starts: counted with the
 * model's own tokenizer where model.path is a GGUF file on this host (in a child process: prompts-process.ts),
 * else fitted by words (an external endpoint whose model is not here: promptTokens null, the server's usage counts).
 * A prompts file or tokenizer that cannot be read fails the job, non-retryable, with the reason.
 */
import { existsSync } from 'node:fs';
import { isGgufPath } from '../../configs/llm-rules';
import type { Config } from '../../configs/schema';
import { settingsOf } from '../../configs/settings';
import { invalidConfig } from '../../workflows/failures';
import { readPromptFile } from './prompt-file-read';
import { buildLlmRequests, type LlmApi, type LlmRequests, type PromptSettings } from './prompts';
import { buildLlmRequestsInChild } from './prompts-process';
import { wordCountTokenizer } from './tokenizer';

/** What the builder needs from a job's config; the model's name is the served one (serving.model, or the server's id). */
export function promptSettingsOf(config: Config, modelName: string): PromptSettings {
  return {
    api: config.serving.api as LlmApi,
    modelName,
    prompts: config.workload.prompts ?? { sharedPrefix: 0, ignoreEos: true },
    // The sender's own setting, resolved once (configs/settings.ts).
    stream: settingsOf(config).stream,
    seed: config.workload.seed,
  };
}

/** The job's GGUF model file where this host has it: its tokenizer counts prompts (and replies without usage). */
export function localGgufOf(config: Config): string | undefined {
  const modelPath = config.model.path;
  return isGgufPath(modelPath) && existsSync(modelPath!) ? modelPath : undefined;
}

export async function llmRequests(config: Config, modelName: string, signal?: AbortSignal): Promise<LlmRequests> {
  const settings = promptSettingsOf(config, modelName);
  const modelPath = localGgufOf(config);
  const file = config.workload.prompts?.file;
  try {
    if (modelPath) return await buildLlmRequestsInChild({ settings, modelPath, file }, signal);
    return buildLlmRequests(settings, wordCountTokenizer, file !== undefined ? readPromptFile(file) : undefined);
  } catch (e) {
    if (signal?.aborted) throw e;
    throw invalidConfig(`workload.prompts: ${(e as Error).message}`);
  }
}

