/**
 * One model instance: a worker thread owning one InferenceSession.
 * onnxruntime-node's session.run blocks the calling thread, so instances live
 * off the main thread — that is what lets N of them run at once while the main
 * thread keeps parsing HTTP. Protocol: see instance-pool.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import type { RawIo } from './model-spec';
import { transferList, type InstanceInit, type RunReply, type RunRequest, type WorkerReady } from './instance-pool';
import type { TypedArray } from './tensor-codec';

const port = parentPort!;
const init = workerData as InstanceInit;

function rawIo(meta: readonly ort.InferenceSession.ValueMetadata[]): RawIo[] {
  return meta.map((m) => (m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'unsupported', shape: [] }));
}

async function main(): Promise<void> {
  const session = await ort.InferenceSession.create(init.modelPath, {
    intraOpNumThreads: init.intraOpThreads,
    interOpNumThreads: init.interOpThreads,
    // The compile step already optimised the artifact; don't pay for it again per instance.
    graphOptimizationLevel: 'disabled',
    executionMode: 'sequential',
    executionProviders: [init.executionProvider ?? 'cpu'],
  });
  const inputNames = session.inputNames;
  const outputNames = session.outputNames;
  const inputTypes = session.inputMetadata.map((m) => (m.isTensor ? m.type : 'unsupported'));
  port.on('message', (msg: RunRequest) => {
    const feeds: Record<string, ort.Tensor> = {};
    for (let i = 0; i < inputNames.length; i++) {
      feeds[inputNames[i]] = new ort.Tensor(inputTypes[i] as 'float32', msg.data[i] as Float32Array, msg.dims[i]);
    }
    const t0 = performance.now();
    session.run(feeds).then(
      (res) => {
        const computeUs = (performance.now() - t0) * 1000;
        const reply = { dims: [] as number[][], data: [] as TypedArray[], computeUs };
        for (const name of outputNames) {
          const t = res[name];
          reply.dims.push(t.dims as number[]);
          reply.data.push(t.data as TypedArray);
        }
        // Output buffers are onnxruntime's fresh copies, owned by nobody else: safe to transfer.
        const transfer = transferList(reply.data);
        port.postMessage(reply satisfies RunReply, transfer);
      },
      (err: unknown) => port.postMessage({ error: String((err as Error)?.message ?? err) } satisfies RunReply),
    );
  });
  port.postMessage({ ready: true, inputs: rawIo(session.inputMetadata), outputs: rawIo(session.outputMetadata) } satisfies WorkerReady);
}

main().catch((err: unknown) => port.postMessage({ ready: false, error: String((err as Error)?.message ?? err) } satisfies WorkerReady));
