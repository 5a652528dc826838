/**
 * A GGUF model's own tokenizer (node-llama-cpp, vocabulary only: no weights loaded, no GPU). node-llama-cpp is an
 * ES module, loaded with import() from this CommonJS code: that works in Node but not under jest's module system,
 * so the request builder runs it in a child process (prompts-process.ts).
 */
import type { Tokenizer } from './tokenizer';

export interface ClosableTokenizer extends Tokenizer {
  close(): Promise<void>;
}

export async function loadGgufTokenizer(modelPath: string): Promise<ClosableTokenizer> {
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  try {
    const model = await llama.loadModel({ modelPath, vocabOnly: true });
    return {
      // No BOS and no special tokens: the prompt text's own tokens (the server's usage adds what its template adds).
      count: (text) => model.tokenize(text).length,
      approximate: false,
      close: async () => {
        await model.dispose();
        await llama.dispose();
      },
    };
  } catch (e) {
    await llama.dispose();
    throw new Error(`cannot read the tokenizer of ${modelPath}: ${(e as Error).message}`, { cause: e });
  }
}
