/**
 * Counting tokens, for building prompts of a given length (prompt-text.ts). The model's own tokenizer where the
 * model is a local GGUF file (gguf-tokenizer.ts, in a child process); else an approximation by words, which the
 * request builder says it used (promptTokens null: the server's usage counts are the measured ones).
 */
export interface Tokenizer {
  /** Tokens of `text` as the model sees it (no BOS, no chat template). */
  count(text: string): number;
  /** True for an estimate (not the served model's tokenizer). */
  readonly approximate: boolean;
}

/**
 * One token per word: the synthetic prompts' words (prompt-words.ts) are common short English words, single tokens
 * in the BPE and SentencePiece vocabularies of current LLMs, so their count is close; other text, less so.
 */
export const wordCountTokenizer: Tokenizer = {
  count: (text) => text.split(/\s+/).filter((w) => w !== '').length,
  approximate: true,
};
