/**
 * The compute-peak probe for real: onnxruntime in a child pinned to a core (from dist/: `npm run build` first),
 * measured once per process and core list. No timing is asserted: only that a rate came back and is reused.
 */
import { peakCompute } from '../../activities/probe/peak-compute';
import { matmulModel, measurePeak } from '../../activities/probe/peak-matmul';
import { InferenceSession } from 'onnxruntime-node';

test('a pinned MatMul gives a positive GFLOP/s with how it was measured, once per core list', async () => {
  const first = await peakCompute('0', 1);
  expect(first).not.toBeNull();
  expect(first!.gflops).toBeGreaterThan(0);
  expect(first!.method).toMatch(/^onnxruntime MatMul 512×512 float32 on 1 thread: best of \d+ runs in 300 ms, (pinned to|unpinned \(no taskset\), meant for) cores 0$/);
  // Cached: the same answer without running again.
  expect(await peakCompute('0', 1)).toBe(first);
});

test('the MatMul model loads in onnxruntime (input x, output y); a short in-process measurement gives a rate', async () => {
  const session = await InferenceSession.create(matmulModel(8), { executionProviders: ['cpu'] });
  try {
    expect(session.inputNames).toEqual(['x']);
    expect(session.outputNames).toEqual(['y']);
  } finally {
    await session.release();
  }
  const peak = await measurePeak({ n: 64, threads: 1, budgetMs: 20 });
  expect(peak.gflops).toBeGreaterThan(0);
  expect(peak.method).toMatch(/^onnxruntime MatMul 64×64 float32 on 1 thread: best of \d+ runs in 20 ms$/);
});
