/** Reading workload.prompts.file (the I/O edge of prompt-file.ts): errors name the file, then the line or entry. */
import { readFileSync } from 'node:fs';
import { parsePromptFile } from './prompt-file';
import type { ParsedPromptFile } from './prompts';

export function readPromptFile(file: string): ParsedPromptFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${file}: ${code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, expected a prompts file' : (e as Error).message}`, { cause: e });
  }
  try {
    return { name: file, parsed: parsePromptFile(text) };
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`, { cause: e });
  }
}
