/**
 * The generation engine of the built-in LLM server: one node-llama-cpp context holding `parallel` sequences,
 * whose concurrent evaluations node-llama-cpp batches into one llama_decode per step (continuous batching: a
 * request joins the running batch as soon as a sequence is free). Requests beyond `parallel` wait in a FIFO queue.
 * node-llama-cpp is an ES module: loaded with import(), so this file runs in the server child (compiled JS).
 */
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ChatHistoryItem, ChatWrapper, Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { SlotPool } from './slots';
import type { FinishReason, Generation, GenerationResult, LlmServerOptions } from './types';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Tokens of context the detokenizer looks back on, so a piece's leading space comes out right. */
const DETOKENIZE_CONTEXT = 4;

export class LlmEngine {
  private constructor(
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly chatWrapper: ChatWrapper,
    private readonly slots: SlotPool<LlamaContextSequence>,
  ) {}

  /** Loads the model on the CPU with prebuilt binaries only (nothing downloaded or compiled), and its context. */
  static async load(opts: Pick<LlmServerOptions, 'modelPath' | 'parallel' | 'contextSize' | 'threads'>): Promise<LlmEngine> {
    const { getLlama, LlamaLogLevel, resolveChatWrapper } = await import('node-llama-cpp');
    const llama = await getLlama({ gpu: false, build: 'never', maxThreads: opts.threads, logLevel: LlamaLogLevel.warn });
    const model = await llama.loadModel({ modelPath: opts.modelPath });
    const context = await model.createContext({ sequences: opts.parallel, contextSize: opts.contextSize, threads: opts.threads });
    // The GGUF's own chat template (a known family's wrapper where it matches one, else its Jinja template).
    const chatWrapper = resolveChatWrapper(model);
    const sequences = Array.from({ length: opts.parallel }, () => context.getSequence());
    return new LlmEngine(llama, model, context, chatWrapper, new SlotPool(sequences));
  }

  /** Tokens one sequence holds (prompt + output). */
  get contextSize(): number {
    return this.context.contextSize;
  }

  /** Token ids run from 0 to vocabularySize - 1. */
  get vocabularySize(): number {
    return this.model.fileInfo.metadata.tokenizer.ggml.tokens.length;
  }

  /** Special tokens written as text are parsed (as llama.cpp's server does); BOS first when addSpecial and the model wants it. */
  tokenize(text: string, addSpecial: boolean): number[] {
    const tokens: number[] = this.model.tokenize(text, true);
    const bos = this.model.tokens.bos;
    return addSpecial && bos !== null && this.model.tokens.shouldPrependBosToken && tokens[0] !== bos ? [bos, ...tokens] : tokens;
  }

  /** The messages through the model's chat template, ending where the assistant's reply starts. */
  chatPrompt(messages: ChatMessage[]): number[] {
    const history: ChatHistoryItem[] = messages.map((m) =>
      m.role === 'system' ? { type: 'system', text: m.content } : m.role === 'user' ? { type: 'user', text: m.content } : { type: 'model', response: [m.content] },
    );
    history.push({ type: 'model', response: [] });
    return this.chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(this.model.tokenizer);
  }

  /**
   * Generates on a free sequence, calling onText with each piece of text as its token arrives (pieces that end
   * inside a UTF-8 character wait for the next token). completionTokens counts every sampled token, an
   * end-of-generation one included (as vLLM); with ignoreEos such tokens are fed back and generation goes on.
   */
  async run(g: Generation, arrivedAt: number, signal: AbortSignal, onText: (text: string) => void): Promise<GenerationResult> {
    let seq: LlamaContextSequence;
    const waited = !this.slots.anyFree;
    try {
      seq = await this.slots.acquire(signal);
    } catch {
      return { completionTokens: 0, finishReason: 'stop', aborted: true, waited, queueMs: performance.now() - arrivedAt, prefillMs: null, decodeMs: null };
    }
    const startedAt = performance.now();
    let firstAt: number | undefined;
    let lastAt = startedAt;
    let count = 0;
    let finishReason: FinishReason = 'length';
    const pending: Token[] = [];
    const recent: Token[] = [];
    const flush = (final: boolean) => {
      if (pending.length === 0) return;
      const text = this.model.detokenize(pending, false, recent.slice(-DETOKENIZE_CONTEXT));
      if (!final && text.endsWith('\uFFFD')) return;
      recent.push(...pending.splice(0));
      if (text) onText(text);
    };
    try {
      if (g.maxTokens > 0) {
        // No seed given: a random one (node-llama-cpp's default, the current second, would give concurrent requests the same).
        const tokens = seq.evaluate(g.prompt as Token[], { temperature: g.temperature, topP: g.topP, topK: g.topK, seed: g.seed ?? randomInt(2 ** 31), yieldEogToken: true });
        for await (const token of tokens) {
          lastAt = performance.now();
          firstAt ??= lastAt;
          count++;
          if (this.model.isEogToken(token) && !g.ignoreEos) {
            finishReason = 'stop';
            break;
          }
          pending.push(token);
          flush(false);
          if (count >= g.maxTokens || signal.aborted) break;
        }
      }
      flush(true);
    } finally {
      // The next request starts from an empty sequence.
      await seq.clearHistory();
      this.slots.release(seq);
    }
    return {
      completionTokens: count,
      finishReason,
      aborted: signal.aborted,
      waited,
      queueMs: startedAt - arrivedAt,
      prefillMs: firstAt === undefined ? null : firstAt - startedAt,
      decodeMs: firstAt === undefined ? null : lastAt - firstAt,
    };
  }

  async dispose(): Promise<void> {
    await this.llama.dispose();
  }
}
