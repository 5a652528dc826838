/**
 * Child-process entry of the load generator (see loadgen-process.ts), so it can be pinned to a device's cores
 * and sampled apart from the worker. Protocol over IPC (advanced serialization):
 *   parent → { type: 'run', opts } once, { type: 'abort' } to end the run early;
 *   child  → { type: 'progress', progress }, { type: 'window' }, then { type: 'result', result } or { type: 'error', error }.
 * Exits once it has answered, and at once when its parent goes away.
 */
import { invalidConfig } from '../../workflows/failures';
import { toWire } from '../process/wire-error';
import { runLoad, type LoadOptions } from './driver';
import { LoadLimitError } from './limits';

/** LoadOptions without its callbacks and signal, bodies as bytes (Buffers arrive as Uint8Arrays): what crosses the process boundary. */
export type WireLoadOptions = Omit<LoadOptions, 'body' | 'bodies' | 'signal' | 'onProgress' | 'onWindowStart'> & {
  body?: Uint8Array;
  bodies?: { body: Uint8Array; headerLength?: number }[];
};

const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export type ParentMessage = { type: 'run'; opts: WireLoadOptions } | { type: 'abort' };

process.on('disconnect', () => process.exit(0));

const abort = new AbortController();
let started = false;

process.on('message', (msg: ParentMessage) => {
  if (msg.type === 'abort') return abort.abort();
  if (msg.type !== 'run' || started) return;
  started = true;
  const { body, bodies, ...opts } = msg.opts;
  runLoad({
    ...opts,
    body: body && asBuffer(body),
    bodies: bodies?.map((b) => ({ ...b, body: asBuffer(b.body) })),
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
  process.send!(msg, () => process.exit(0));
}
