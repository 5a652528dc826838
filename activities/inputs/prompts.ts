/**
 * The LLM request builder (serving.api openai-completions | openai-chat): every distinct request body of a run,
 * built once before the clock starts and cycled by the sender. Pure given a tokenizer and the parsed prompt file.
 *
 * Synthetic prompts (workload.prompts.inputTokens / outputTokens): per request, an input and an output length are
 * drawn (prompt-lengths.ts, seeded by workload.seed); the prompt is `sharedPrefix` tokens of text identical in
 * every request followed by inputTokens tokens of its own (so a prompt is sharedPrefix + inputTokens long, as in
 * vLLM's random dataset and GuideLLM's prefix_tokens), fitted by counting with the tokenizer (prompt-text.ts).
 * Token counts are the prompt text's own: a chat template and BOS add a few, which the server's usage includes.
 *
 * Bodies: {model, prompt | messages, max_tokens, temperature: 0, seed, stream, stream_options: {include_usage}
 * when streaming, ignore_eos when prompts.ignoreEos} (vLLM, llama.cpp and SGLang read ignore_eos).
 */
import type { Config, ServingApi } from '../../configs/schema';
import type { LlmRequestBody } from '../loadgen/llm-types';
import { seededUniform } from '../rng';
import { drawTokenCount } from './prompt-lengths';
import { fitText } from './prompt-text';
import type { ChatMessage, PromptEntry, PromptFile } from './prompt-file';
import type { Tokenizer } from './tokenizer';

export type LlmApi = Exclude<ServingApi, 'kserve-v2'>;
export type PromptsConfig = NonNullable<Config['workload']['prompts']>;

/** Distinct synthetic requests per run (the sender cycles them): enough that lengths follow their distribution. */
export const SYNTHETIC_REQUESTS = 256;
/** A prompt file's entries are taken in file order, at most this many (vLLM's and GuideLLM's default sample). */
export const FILE_REQUESTS = 1000;

export interface PromptSettings {
  api: LlmApi;
  /** The served model's name, sent as "model". */
  modelName: string;
  prompts: PromptsConfig;
  stream: boolean;
  seed: number;
  /** How many distinct requests; default SYNTHETIC_REQUESTS, or a file's entries up to FILE_REQUESTS. */
  requests?: number;
}

export interface LlmRequests {
  bodies: LlmRequestBody[];
  /** Whose counts promptTokens are: the served model's tokenizer, or none (an estimate fitted the lengths; promptTokens null). */
  tokenizer: 'model' | 'approximate';
  source: 'synthetic' | 'file';
  /** ShareGPT conversations the file had that could not be used. */
  skipped: number;
}

/** The prompt file, read by the caller: its name (for messages) and its entries. */
export interface ParsedPromptFile {
  name: string;
  parsed: PromptFile;
}

export function buildLlmRequests(settings: PromptSettings, tokenizer: Tokenizer, file?: ParsedPromptFile): LlmRequests {
  const bodies = file ? fileBodies(settings, tokenizer, file) : syntheticBodies(settings, tokenizer);
  return { bodies, tokenizer: tokenizer.approximate ? 'approximate' : 'model', source: file ? 'file' : 'synthetic', skipped: file?.parsed.skipped ?? 0 };
}

function syntheticBodies(s: PromptSettings, tokenizer: Tokenizer): LlmRequestBody[] {
  const { inputTokens, outputTokens, sharedPrefix } = s.prompts;
  if (inputTokens === undefined || outputTokens === undefined) {
    throw new Error('workload.prompts: synthetic prompts need inputTokens and outputTokens (or set prompts.file)');
  }
  const lengths = seededUniform(s.seed);
  // Words from their own stream: the lengths drawn do not depend on how the texts were fitted.
  const words = seededUniform(s.seed ^ 0x5eed_7e47);
  const prefix = sharedPrefix > 0 ? fitText(sharedPrefix, tokenizer, words) : { text: '', tokens: 0 };
  const out: LlmRequestBody[] = [];
  for (let i = 0; i < (s.requests ?? SYNTHETIC_REQUESTS); i++) {
    const input = drawTokenCount(inputTokens, lengths);
    const output = drawTokenCount(outputTokens, lengths);
    const fitted = fitText(prefix.tokens + input, tokenizer, words, prefix.text);
    out.push(requestBody(s, contentOf(s.api, fitted.text), tokenizer.approximate ? null : fitted.tokens, output));
  }
  return out;
}

function fileBodies(s: PromptSettings, tokenizer: Tokenizer, file: ParsedPromptFile): LlmRequestBody[] {
  const lengths = seededUniform(s.seed);
  const entries = file.parsed.entries.slice(0, s.requests ?? FILE_REQUESTS);
  return entries.map((e) => {
    const problem = promptEntryProblem(e, s.api, s.prompts.outputTokens !== undefined);
    if (problem) throw new Error(`${file.name}: ${problem}`);
    const content = e.messages ?? contentOf(s.api, e.prompt!);
    const text = e.messages ? e.messages.map((m) => m.content).join('\n') : e.prompt!;
    const maxTokens =
      s.prompts.outputTokens !== undefined
        ? drawTokenCount(s.prompts.outputTokens, lengths)
        : (e.outputTokens ?? Math.max(1, tokenizer.count(e.replyText!)));
    return requestBody(s, content, tokenizer.approximate ? null : tokenizer.count(text), maxTokens);
  });
}

/**
 * Why a file entry cannot make a request of `api` (undefined when it can): a chat conversation needs openai-chat,
 * and every request needs its output length (the entry's own, a ShareGPT reply's, or workload.prompts.outputTokens).
 * Also run at validate (prompt-file-check.ts).
 */
export function promptEntryProblem(e: PromptEntry, api: LlmApi, outputTokensGiven: boolean): string | undefined {
  if (e.messages && api === 'openai-completions') return `${e.where}: "messages" are a chat; serving.api openai-completions sends a "prompt" (use openai-chat)`;
  if (!outputTokensGiven && e.outputTokens === undefined && e.replyText === undefined) {
    return `${e.where}: expected "output_tokens" (the request's max_tokens), or set workload.prompts.outputTokens, got neither`;
  }
  return undefined;
}

/** The prompt as the api carries it: a completion's text, or one user message. */
function contentOf(api: LlmApi, text: string): string | ChatMessage[] {
  return api === 'openai-chat' ? [{ role: 'user', content: text }] : text;
}

function requestBody(s: PromptSettings, content: string | ChatMessage[], promptTokens: number | null, maxTokens: number): LlmRequestBody {
  const body: Record<string, unknown> = { model: s.modelName };
  if (typeof content === 'string') body.prompt = content;
  else body.messages = content;
  body.max_tokens = maxTokens;
  body.temperature = 0;
  body.seed = s.seed;
  body.stream = s.stream;
  if (s.stream) body.stream_options = { include_usage: true };
  if (s.prompts.ignoreEos) body.ignore_eos = true;
  return { body: Buffer.from(JSON.stringify(body)), promptTokens, maxTokens };
}
