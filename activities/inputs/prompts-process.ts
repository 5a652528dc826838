/**
 * The LLM request builder in a child Node process, counting with a GGUF model's own tokenizer (node-llama-cpp is
 * an ES module; see gguf-tokenizer.ts). Its errors come back with their message (a bad prompts file names itself).
 */
import { spawn } from 'node:child_process';
import { compiledScript, exited, stderrTail } from '../process/pinned-spawn';
import { fromWire, type WireError } from '../process/wire-error';
import type { LlmRequestBody } from '../loadgen/llm-types';
import type { PromptsRequest } from './prompts-main';
import type { LlmRequests } from './prompts';

type Answer = { requests?: Omit<LlmRequests, 'bodies'> & { bodies: (Omit<LlmRequestBody, 'body'> & { body: string })[] }; error?: WireError };

export async function buildLlmRequestsInChild(req: PromptsRequest, signal?: AbortSignal): Promise<LlmRequests> {
  signal?.throwIfAborted();
  const child = spawn(process.execPath, [compiledScript(__dirname, 'prompts-main')], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
  const stderr = stderrTail(child);
  const onAbort = (): void => void child.kill('SIGKILL');
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const answer = await new Promise<Answer>((resolve, reject) => {
      child.once('message', (m) => resolve(m as Answer));
      child.on('error', (e) => reject(new Error(`cannot start the request builder: ${e.message}`)));
      child.once('close', (code, sig) => {
        if (signal?.aborted) return reject(signal.reason);
        reject(new Error(`request builder exited (${sig ?? `code ${code}`}) without an answer: ${stderr() || 'no output'}`));
      });
      child.send(req, () => undefined);
    });
    if (answer.error) throw fromWire(answer.error);
    const r = answer.requests!;
    return { ...r, bodies: r.bodies.map((b) => ({ ...b, body: Buffer.from(b.body, 'utf8') })) };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (child.pid !== undefined) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
    }
  }
}
