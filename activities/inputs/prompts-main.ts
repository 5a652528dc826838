/**
 * Child-process entry of the LLM request builder with a GGUF model's tokenizer (see prompts-process.ts): receives
 * one PromptsRequest over IPC, answers { requests } or { error } and exits. Exits when its parent goes away.
 */
import { toWire } from '../process/wire-error';
import { loadGgufTokenizer } from './gguf-tokenizer';
import { readPromptFile } from './prompt-file-read';
import { buildLlmRequests, type PromptSettings } from './prompts';

export interface PromptsRequest {
  settings: PromptSettings;
  /** The GGUF file whose tokenizer counts. */
  modelPath: string;
  /** workload.prompts.file, when prompts come from a file. */
  file?: string;
}

process.on('disconnect', () => process.exit(0));

process.once('message', (req: PromptsRequest) => {
  build(req).then(
    (requests) => answer({ requests }),
    (e: unknown) => answer({ error: toWire(e) }),
  );
});

async function build(req: PromptsRequest) {
  const file = req.file !== undefined ? readPromptFile(req.file) : undefined;
  const tokenizer = await loadGgufTokenizer(req.modelPath);
  try {
    const built = buildLlmRequests(req.settings, tokenizer, file);
    // Bodies as text: IPC's structured clone would turn Buffers into plain Uint8Arrays.
    return { ...built, bodies: built.bodies.map((b) => ({ ...b, body: b.body.toString('utf8') })) };
  } finally {
    await tokenizer.close();
  }
}

function answer(msg: object): void {
  process.send!(msg, () => process.exit(0));
}
