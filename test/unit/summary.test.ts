import { briefSummary, type JobSummary } from '../../activities/job-summary';
import { invalidJobs, renderSummary, renderSweepSummary, summaryRows } from '../../cli/summary';

const job = (i: number, status: 'completed' | 'failed' = 'completed'): JobSummary => ({
  jobId: `s/j${String(i).padStart(3, '0')}-r0`,
  index: i,
  repeat: 0,
  params: { 'workload.concurrency': i },
  status,
  error: status === 'failed' ? `boom ${i}` : undefined,
  batchSize: 1,
  load: {
    throughput: 100 + i,
    errors: 0,
    ok: 10,
    latency: { count: 10, minMs: 1, meanMs: 2, p50Ms: 2, p90Ms: 3, p95Ms: 3, p99Ms: 4, p999Ms: 4, maxMs: 5, stddevMs: 1 },
    valid: true,
    reasons: [],
  },
});

test('a small sweep ends with its table, a large one with counts and its first failures', () => {
  const small = renderSweepSummary([job(0), job(1, 'failed')]);
  expect(small).toContain('j000-r0');
  expect(small).toContain('workload.concurrency');
  expect(small).toContain('failed: boom 1');

  const large = renderSweepSummary(Array.from({ length: 60 }, (_, i) => job(i, i % 10 === 3 ? 'failed' : 'completed')));
  expect(large.split('\n')[0]).toBe('60 jobs: 54 completed, 6 failed');
  expect(large).toContain('s/j003-r0: boom 3');
  expect(large).toContain('... and 1 more failed');
  expect(large).not.toContain('workload.concurrency');
});

test('a brief summary keeps identity and outcome, not parameters or figures', () => {
  const b = briefSummary(job(7, 'failed'));
  expect(b).toEqual({ jobId: 's/j007-r0', index: 7, repeat: 0, params: {}, status: 'failed', error: 'boom 7', batchSize: 1 });
  expect(JSON.stringify(b).length).toBeLessThan(JSON.stringify(job(7)).length / 2);
});

test('a run in which every request failed shows no latency, names the dominant error, and counts as invalid', () => {
  const allFailed: JobSummary = {
    ...job(2),
    load: {
      throughput: 0,
      errors: 7349,
      ok: 0,
      latency: { count: 0, minMs: null, meanMs: null, p50Ms: null, p90Ms: null, p95Ms: null, p99Ms: null, p999Ms: null, maxMs: null, stddevMs: null },
      valid: false,
      reasons: ['all 7,349 requests timed out after 10 s'],
    },
  };
  const { rows } = summaryRows([job(0), allFailed]);
  expect(rows[1]).toMatchObject({ 'p50 ms': '—', 'p99 ms': '—', valid: 'no: all 7,349 requests timed out after 10 s', slo: '' });
  expect(rows[0]['p50 ms']).toBe(2);
  expect(renderSummary([allFailed])).toContain('—');
  expect(invalidJobs([job(0), allFailed]).map((j) => j.jobId)).toEqual([allFailed.jobId]);

  const large = renderSweepSummary([...Array.from({ length: 59 }, (_, i) => job(i)), allFailed]);
  expect(large.split('\n')[0]).toBe('60 jobs: 60 completed (1 without a valid measurement), 0 failed');
  expect(large).toContain('s/j002-r0: invalid: all 7,349 requests timed out after 10 s');
});
