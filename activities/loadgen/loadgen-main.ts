/**
 * Child-process entry of the load generator (see loadgen-process.ts), so it can be pinned to a device's cores
 * and sampled apart from the worker. Protocol over IPC (advanced serialization):
 *   parent → { type: 'run', opts }, { type: 'abort' } to end the run early;
 *   child  → { type: 'progress', progress }, { type: 'window' }, then { type: 'result', result } or { type: 'error', error }.
 * After answering it waits for the next run (a device's measurements reuse it: loadgen-process.ts); it exits at
 * once when its parent goes away, and the parent kills it when a run did not end cleanly.
 */
import { invalidConfig } from '../../workflows/failures';
import { toWire } from '../process/wire-error';
import { runLoad, type LoadOptions } from './driver';
import { LoadLimitError } from './limits';
import type { LlmRequestBody } from './llm-types';

/** LoadOptions without its callbacks and signal, bodies as bytes (Buffers arrive as Uint8Arrays): what crosses the process boundary. */
export type WireLoadOptions = Omit<LoadOptions, 'body' | 'bodies' | 'llmBodies' | 'signal' | 'onProgress' | 'onWindowStart'> & {
  body?: Uint8Array;
  bodies?: { body: Uint8Array; headerLength?: number }[];
  llmBodies?: (Omit<LlmRequestBody, 'body'> & { body: Uint8Array })[];
};

const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export type ParentMessage = { type: 'run'; opts: WireLoadOptions } | { type: 'abort' };

process.on('disconnect', () => process.exit(0));

/** The run in progress: one at a time. */
let abort: AbortController | null = null;

process.on('message', (msg: ParentMessage) => {
  if (msg.type === 'abort') return abort?.abort();
  if (msg.type !== 'run' || abort) return;
  abort = new AbortController();
  const { body, bodies, llmBodies, ...opts } = msg.opts;
  runLoad({
    ...opts,
    body: body && asBuffer(body),
    bodies: bodies?.map((b) => ({ ...b, body: asBuffer(b.body) })),
    llmBodies: llmBodies?.map((b) => ({ ...b, body: asBuffer(b.body) })),
    signal: abort.signal,
    onProgress: (progress) => process.send!({ type: 'progress', progress }),
    onWindowStart: () => process.send!({ type: 'window' }),
  }).then(
    (result) => answer({ type: 'result', result }),
    // A load the generator cannot hold fails the same way on any device: not retried elsewhere.
    (e: unknown) => answer({ type: 'error', error: toWire(e instanceof LoadLimitError ? invalidConfig(e.message) : e) }),
  );
});

function answer(msg: object): void {
  abort = null;
  process.send!(msg);
}
