/**
 * Reads one OpenAI-compatible reply (/v1/completions or /v1/chat/completions) as it arrives: an event stream
 * (text/event-stream, parsed by eventsource-parser) or one JSON body, into a StreamTiming. No I/O: the sender
 * feeds it text with the arrival time of the bytes, and asks for the outcome at the end.
 */
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';
import type { StreamTiming } from './llm-types';

/** What the request asked, for the checks at the end. */
export interface AskedOf {
  /** chat: content is in choices[0].delta.content (message.content unstreamed); completions: choices[0].text. */
  api: 'openai-completions' | 'openai-chat';
  promptTokens: number | null;
  maxTokens: number;
  /** The body asked ignore_eos: fewer output tokens than maxTokens is then a truncated stream. */
  ignoreEos: boolean;
}

interface Choice {
  text?: unknown;
  delta?: { content?: unknown };
  message?: { content?: unknown };
  finish_reason?: unknown;
}
interface Reply {
  choices?: Choice[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
  error?: unknown;
}

/** Body text kept for an unstreamed reply at most (replies are a few KB; a runaway one is cut, then judged malformed). */
const MAX_JSON_CHARS = 8 * 1024 * 1024;

export class ReplyReader {
  private readonly chunkAt: number[] = [];
  private readonly parser: EventSourceParser | null;
  private at = 0;
  private json = '';
  private done = false;
  private finishReason: string | null = null;
  private promptTokens: number | null = null;
  private completionTokens: number | null = null;
  /** The first thing wrong with the reply itself (malformed, an error event): the request failed. */
  private error: string | null = null;
  /** The generated text, for counting its tokens where the server gives no usage. */
  private text = '';

  constructor(
    private readonly asked: AskedOf,
    /** The reply's Content-Type is text/event-stream. */
    readonly streamed: boolean,
    /** The model's tokenizer (a local GGUF's), counting output tokens when the reply carries no usage. */
    private readonly countTokens: ((text: string) => number) | null = null,
  ) {
    this.parser = streamed ? createParser({ onEvent: (e) => this.onEvent(e) }) : null;
  }

  /** Reply text that arrived at `at` (performance.now() ms). */
  feed(text: string, at: number): void {
    this.at = at;
    if (this.parser) this.parser.feed(text);
    else if (this.json.length < MAX_JSON_CHARS) this.json += text;
  }

  /** The reply ended (its last byte at `at`): an error in words, or its timing. */
  finish(at: number): { error: string } | { error: null; timing: StreamTiming } {
    if (!this.parser) this.readJson(at);
    if (this.error !== null) return { error: this.error };
    const usage = this.completionTokens !== null;
    const counted = !usage && this.countTokens !== null;
    const outputTokens = this.completionTokens ?? (counted ? this.countTokens!(this.text) : this.chunkAt.length);
    return {
      error: null,
      timing: {
        chunkAt: this.chunkAt,
        streamed: this.streamed,
        maxTokens: this.asked.maxTokens,
        outputTokens,
        inputTokens: this.promptTokens ?? this.asked.promptTokens,
        tokenSource: usage ? 'usage' : counted ? 'tokenizer' : 'chunks',
        truncated: this.truncation(outputTokens, counted),
      },
    };
  }

  /**
   * Why the reply ended early, or null. Counted by the tokenizer (re-tokenizing the generated text can merge or split
   * a token or two at piece edges), a reply is short of max_tokens only past that slack.
   */
  private truncation(outputTokens: number, counted = false): string | null {
    if (this.streamed && !this.done && this.finishReason === null) return 'the stream ended without [DONE] or a finish_reason';
    if (!this.streamed && this.finishReason === null) return 'the reply has no finish_reason';
    const slack = counted ? Math.max(2, Math.ceil(this.asked.maxTokens * 0.1)) : 0;
    if (this.asked.ignoreEos && outputTokens < this.asked.maxTokens - slack) {
      const reason = this.finishReason === null ? 'none' : this.finishReason;
      return `${outputTokens} of ${this.asked.maxTokens} output tokens with ignore_eos (finish_reason ${reason})`;
    }
    return null;
  }

  private onEvent(e: EventSourceMessage): void {
    if (this.error !== null || this.done) return;
    if (e.data === '[DONE]') {
      this.done = true;
      return;
    }
    const reply = parse(e.data);
    if (reply === null) {
      this.error = `malformed stream event: ${JSON.stringify(e.data.slice(0, 80))}`;
      return;
    }
    if (reply.error !== undefined) {
      this.error = `error in the stream: ${describeError(reply.error)}`;
      return;
    }
    const choice = reply.choices?.[0];
    const content = this.asked.api === 'openai-chat' ? choice?.delta?.content : choice?.text;
    // Chunks without content (the role, the final usage) are not tokens.
    if (typeof content === 'string' && content.length > 0) {
      this.chunkAt.push(this.at);
      if (this.countTokens) this.text += content;
    }
    this.readEnd(reply, choice);
  }

  private readJson(at: number): void {
    const reply = parse(this.json);
    if (reply === null) {
      this.error = `malformed reply: ${JSON.stringify(this.json.slice(0, 80))}`;
      return;
    }
    if (reply.error !== undefined) {
      this.error = `error in the reply: ${describeError(reply.error)}`;
      return;
    }
    this.chunkAt.push(at); // everything arrives with the last byte
    const choice = reply.choices?.[0];
    const content = this.asked.api === 'openai-chat' ? choice?.message?.content : choice?.text;
    if (typeof content === 'string') this.text = content;
    this.readEnd(reply, choice);
  }

  private readEnd(reply: Reply, choice: Choice | undefined): void {
    if (typeof choice?.finish_reason === 'string') this.finishReason = choice.finish_reason;
    const u = reply.usage;
    if (u && typeof u.completion_tokens === 'number') this.completionTokens = u.completion_tokens;
    if (u && typeof u.prompt_tokens === 'number') this.promptTokens = u.prompt_tokens;
  }
}

function parse(text: string): Reply | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' ? (v as Reply) : null;
  } catch {
    return null;
  }
}

/** OpenAI's {"error": {"message": ...}} or a bare string. */
function describeError(e: unknown): string {
  const message = typeof e === 'string' ? e : (e as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message.slice(0, 200) : JSON.stringify(e).slice(0, 200);
}
