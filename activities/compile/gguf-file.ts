/** Whether a model.path meant for the built-in LLM server (or as an external endpoint's tokenizer) is a GGUF file. */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** Why `file` is not a readable GGUF model, or undefined when it is one (its first 4 bytes are "GGUF"). */
export function ggufFileProblem(file: string): string | undefined {
  try {
    const st = statSync(file);
    if (st.isDirectory()) return 'is a directory';
    if (st.size < 4) return 'too short to be a GGUF file';
    const fd = openSync(file, 'r');
    try {
      const magic = Buffer.alloc(4);
      readSync(fd, magic, 0, 4, 0);
      return magic.toString('latin1') === 'GGUF' ? undefined : 'not a GGUF file (it does not start with "GGUF")';
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message;
  }
}
