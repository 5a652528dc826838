import { LlmStatsRecorder } from '../../activities/serve/llm/llm-stats';
import type { GenerationResult } from '../../activities/serve/llm/types';

const result = (over: Partial<GenerationResult> = {}): GenerationResult => ({
  completionTokens: 10,
  finishReason: 'length',
  aborted: false,
  waited: false,
  queueMs: 0,
  prefillMs: 2,
  decodeMs: 8,
  ...over,
});

test('unmarked requests count until the first marked one opens the window; then only marked ones', () => {
  const s = new LlmStatsRecorder();
  s.record(false, 5, result());
  expect(s.snapshot().requests).toBe(1);
  s.record(true, 3, result({ waited: true, queueMs: 4, completionTokens: 6 }));
  s.record(false, 100, result());
  s.record(true, 7, result({ prefillMs: null, decodeMs: null, completionTokens: 0, aborted: true }));
  const snap = s.snapshot();
  expect(snap).toMatchObject({ requests: 2, inferences: null, batches: null, batchSizeCounts: {} });
  expect(snap.llm).toMatchObject({ promptTokens: 10, completionTokens: 6, queuedRequests: 1 });
  // Times of the request that generated: prefill 2 ms, decode 8 ms, compute their sum; the aborted one only queued.
  expect(snap.llm!.prefillTimeUs.mean).toBeCloseTo(2000, -1);
  expect(snap.llm!.decodeTimeUs.mean).toBeCloseTo(8000, -1);
  expect(snap.computeTimeUs.mean).toBeCloseTo(10_000, -2);
  expect(snap.queueTimeUs.mean).toBeCloseTo(2000, -1);
  s.reset();
  expect(s.snapshot()).toMatchObject({ requests: 0, llm: { promptTokens: 0, completionTokens: 0, queuedRequests: 0 } });
});
