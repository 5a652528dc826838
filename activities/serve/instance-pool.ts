/**
 * Model instances as worker threads (see instance-worker.ts). Each runs one
 * batch at a time. Large tensors cross the thread boundary by transfer; small
 * ones by copy, which is cheaper than detaching and re-wrapping a buffer.
 */
import { Worker } from 'node:worker_threads';
import { compiledScript } from './compiled';
import type { RawIo } from './model-spec';
import type { Tensors } from './batch-tensors';
import type { TypedArray } from './tensor-codec';

/** Buffers at least this big are transferred rather than copied (both directions). */
export const TRANSFER_MIN_BYTES = 64 * 1024;

/** The buffers worth transferring, each once (views may share one). */
export function transferList(data: readonly TypedArray[]): ArrayBuffer[] {
  const list: ArrayBuffer[] = [];
  for (const d of data) {
    if (!ArrayBuffer.isView(d)) continue; // string tensors are plain arrays
    const buf = d.buffer as ArrayBuffer;
    if (buf.byteLength >= TRANSFER_MIN_BYTES && !list.includes(buf)) list.push(buf);
  }
  return list;
}

export interface InstanceInit {
  modelPath: string;
  intraOpThreads: number;
  interOpThreads: number;
  executionProvider?: string;
}

export type WorkerReady = { ready: true; inputs: RawIo[]; outputs: RawIo[] } | { ready: false; error: string };
/** Main → worker: feeds in model input order. */
export interface RunRequest {
  dims: number[][];
  data: TypedArray[];
}
/** Worker → main: outputs in model output order, or the failure. */
export type RunReply = { dims: number[][]; data: TypedArray[]; computeUs: number; error?: undefined } | { error: string };

export type RunCallback = (err: Error | null, out: (Tensors & { computeUs: number }) | null) => void;

export class Instance {
  /** Set once the thread has died; a dead instance takes no more work. */
  dead = false;
  private pending: RunCallback | null = null;

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: RunReply) => {
      const cb = this.pending;
      this.pending = null;
      if (!cb) return;
      if (reply.error !== undefined) cb(new Error(reply.error), null);
      else cb(null, reply);
    });
    const die = (why: string) => {
      this.dead = true;
      const cb = this.pending;
      this.pending = null;
      cb?.(new Error(`model instance died: ${why}`), null);
    };
    worker.on('error', (err) => die(err.message));
    worker.on('exit', (code) => die(`exit code ${code}`));
  }

  /** Runs one batch; large feed buffers are transferred (unusable here afterwards). */
  run(feeds: Tensors, cb: RunCallback): void {
    if (this.dead) return cb(new Error('model instance is not running'), null);
    this.pending = cb;
    this.worker.postMessage({ dims: feeds.dims, data: feeds.data } satisfies RunRequest, transferList(feeds.data));
  }

  terminate(): Promise<number> {
    this.dead = true;
    return this.worker.terminate();
  }
}

export interface Pool {
  instances: Instance[];
  inputs: RawIo[];
  outputs: RawIo[];
}

function startOne(init: InstanceInit): Promise<{ instance: Instance; ready: WorkerReady & { ready: true } }> {
  const worker = new Worker(compiledScript('instance-worker'), { workerData: init });
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => fail(`model instance failed to start: ${err.message}`);
    const onExit = (code: number) => fail(`model instance exited during start (code ${code})`);
    // Remove only our listeners: Worker keeps internal ones that removeAllListeners() would break.
    const detach = () => {
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const fail = (why: string) => {
      detach();
      void worker.terminate();
      reject(new Error(why));
    };
    worker.once('message', (msg: WorkerReady) => {
      detach();
      if (msg.ready) resolve({ instance: new Instance(worker), ready: msg });
      else fail(`cannot load model ${init.modelPath}: ${msg.error}`);
    });
    worker.once('error', onError);
    worker.once('exit', onExit);
  });
}

/** Starts `count` instances in parallel; if any fails, stops the rest and rejects with its reason. */
export async function startPool(init: InstanceInit, count: number): Promise<Pool> {
  const results = await Promise.allSettled(Array.from({ length: count }, () => startOne(init)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (failed) {
    await Promise.all(started.map((s) => s.instance.terminate()));
    throw failed.reason;
  }
  return { instances: started.map((s) => s.instance), inputs: started[0].ready.inputs, outputs: started[0].ready.outputs };
}
