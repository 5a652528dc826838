/**
 * The device's measured compute peak for the report's roofline: a square float32 MatMul in onnxruntime, run
 * repeatedly for a fixed short budget on a given number of threads; the best run's rate is the peak. A ceiling
 * taken from the data sheet would not say what onnxruntime reaches on these cores.
 */
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { encodeModel, tensorValueInfo, weightTensor } from '../compile/onnx-build';

export interface PeakCompute {
  /** The best MatMul rate, GFLOP/s. */
  gflops: number;
  /** How it was measured, in words (kept with the number in jobs.host). */
  method: string;
}

export interface PeakOptions {
  /** Matrix side: 2·n³ FLOPs per run. */
  n: number;
  threads: number;
  /** Time spent running (after one warm-up run). */
  budgetMs: number;
}

/** y = x · W with x and W both n×n; W an initializer so the kernel sees a constant weight, as a served model does. */
export function matmulModel(n: number): Uint8Array {
  let s = 1;
  // A fixed cheap sequence: values only need to be finite and not denormal.
  const draw = (): number => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5;
  return encodeModel({
    name: 'peak_matmul',
    node: [{ name: 'mm', opType: 'MatMul', input: ['x', 'W'], output: ['y'] }],
    initializer: [weightTensor('W', [n, n], 'float32', draw)],
    input: [tensorValueInfo('x', [n, n])],
    output: [tensorValueInfo('y', [n, n])],
  });
}

/** GFLOP/s of one n×n×n MatMul that took `seconds`. */
export const matmulGflops = (n: number, seconds: number): number => (2 * n ** 3) / seconds / 1e9;

export async function measurePeak(opts: PeakOptions): Promise<PeakCompute> {
  const { n, threads, budgetMs } = opts;
  const session = await InferenceSession.create(matmulModel(n), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  try {
    const x = new Tensor('float32', Float32Array.from({ length: n * n }, (_, i) => ((i % 97) - 48) / 97), [n, n]);
    await session.run({ x }); // warm-up: thread pool start, first-touch of buffers
    let best = Infinity;
    let runs = 0;
    const end = performance.now() + budgetMs;
    do {
      const t0 = performance.now();
      await session.run({ x });
      best = Math.min(best, performance.now() - t0);
      runs++;
    } while (performance.now() < end);
    const gflops = matmulGflops(n, best / 1000);
    return { gflops, method: `onnxruntime MatMul ${n}×${n} float32 on ${threads} thread${threads === 1 ? '' : 's'}: best of ${runs} runs in ${budgetMs} ms` };
  } finally {
    await session.release();
  }
}
