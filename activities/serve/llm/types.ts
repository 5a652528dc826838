/** Public shapes of the built-in LLM server (types only): node-llama-cpp on a GGUF behind an OpenAI-compatible API. */

export interface LlmServerOptions {
  /** The GGUF file. */
  modelPath: string;
  /** The model id it serves (GET /v1/models, the `model` of every answer): the artifact's modelName. */
  modelName: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 or absent = any free port. */
  port?: number;
  /** Sequences decoded together in one context (continuous batching); requests beyond them wait in a FIFO queue. */
  parallel: number;
  /** Tokens per sequence (prompt + output); the context holds parallel × contextSize. */
  contextSize: number;
  /**
   * Threads that evaluate tokens. Always explicit: node-llama-cpp's default thread count was pathological on a
   * busy 2-core host (64 tokens: 205 s by default, 0.76 s with 1 thread).
   */
  threads: number;
}

/** What one request asks the engine to generate (already tokenized, validated). */
export interface Generation {
  prompt: number[];
  maxTokens: number;
  /** Keep generating past end-of-generation tokens (vLLM's and llama.cpp's ignore_eos). */
  ignoreEos: boolean;
  /** 0 = greedy. */
  temperature: number;
  topP: number;
  /** 0 = no top-k cut. */
  topK: number;
  /** Absent: a random one per request. */
  seed?: number;
}

export type FinishReason = 'stop' | 'length';

/** How a generation went, timed inside the server (ms). */
export interface GenerationResult {
  completionTokens: number;
  finishReason: FinishReason;
  /** True when the client went away (its sequence was freed at once). */
  aborted: boolean;
  /** Whether it waited in the queue for a sequence (all were busy when it arrived). */
  waited: boolean;
  /** Arrival → a sequence was free. */
  queueMs: number;
  /** Sequence free → first token (the prompt's evaluation). Null when no token came. */
  prefillMs: number | null;
  /** First token → last token. Null when no token came. */
  decodeMs: number | null;
}
