/**
 * The shapes LLM serving benchmarks share (serving.api openai-completions | openai-chat): what the request
 * builder hands the load generator, what the streaming sender reports per request, and the per-run summary
 * stored with the result. Types only: the builder (activities/inputs/prompts.ts), the sender
 * (activities/loadgen/openai-sender.ts), the statistics, the recorder and the report all use these.
 *
 * Metric names follow the tools they match (the README's "LLM metrics" says which is which):
 * - TTFT: first content chunk − the request's scheduled send time (open loop) or actual send time (closed loop);
 * - ITL: every gap between consecutive content chunks (vLLM's ITL), all requests pooled;
 * - TPOT: (E2E − TTFT) / (output tokens − 1) per request with at least 2 output tokens (vLLM's TPOT);
 * - mean ITL per request: the mean of one request's chunk gaps (GuideLLM's inter-token latency);
 * - E2E: the run's ordinary latency (LoadResult.latency), last byte − scheduled/actual send.
 */
import type { LatencySummary } from './histogram';

/** One prebuilt LLM request: the JSON body sent as is, and what was asked of it. */
export interface LlmRequestBody {
  body: Buffer;
  /** Prompt tokens as the builder counted them (its tokenizer), or null when it could not count. */
  promptTokens: number | null;
  /** max_tokens asked (with ignore_eos, the expected output length). */
  maxTokens: number;
}

/** What the sender reports for one finished LLM request, ok or not (times are performance.now() ms). */
export interface StreamTiming {
  /** Arrival of each content-carrying chunk (the first is the first token); one entry when not streaming. */
  chunkAt: number[];
  /** Whether the reply was an event stream (text/event-stream); without one there is no TTFT or ITL. */
  streamed: boolean;
  /** max_tokens the request asked (LlmRequestBody.maxTokens). */
  maxTokens: number;
  /** Output tokens: the server's usage.completion_tokens, else the tokenizer's count of the text, else chunks. */
  outputTokens: number;
  /** Prompt tokens: the server's usage.prompt_tokens, else the builder's count. */
  inputTokens: number | null;
  /** Where outputTokens came from. */
  tokenSource: 'usage' | 'tokenizer' | 'chunks';
  /** Set when the stream ended early (no [DONE] / finish_reason, or fewer tokens than max_tokens with ignore_eos). */
  truncated: string | null;
}

/** The LLM part of a run's result (LoadResult.llm): present for serving.api openai-*, absent for kserve-v2. */
export interface LlmSummary {
  api: 'openai-completions' | 'openai-chat';
  stream: boolean;
  /** All in ms; null summaries' fields when nothing streamed (e.g. stream: false gives no TTFT/ITL). */
  ttft: LatencySummary;
  itl: LatencySummary;
  tpot: LatencySummary;
  /** Per-request mean of its chunk gaps (GuideLLM's ITL). */
  itlMeanPerRequest: LatencySummary;
  /** HdrHistogram compressed base64 (µs), as LoadResult.histogram. */
  ttftHistogram: string;
  itlHistogram: string;
  tpotHistogram: string;
  /** Tokens produced in the measured window by any request (llm-stats.ts tokensInWindow), and per second of it. */
  inputTokens: number;
  outputTokens: number;
  inputTokensPerS: number;
  outputTokensPerS: number;
  /** Mean output tokens per ok request, and the mean max_tokens asked. */
  meanOutputTokens: number | null;
  meanMaxTokens: number | null;
  tokenSource: 'usage' | 'tokenizer' | 'chunks' | 'mixed';
  /** Requests per second (the window's pace) × the share of measured requests meeting every SLO given; null without one. */
  goodput: number | null;
  /** How many measured requests met every SLO given (null without one). */
  goodRequests: number | null;
  /** Measured ok requests whose stream was truncated, and one example reason. */
  truncated: number;
  truncatedSample: string | null;
}
