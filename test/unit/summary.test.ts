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

describe('LLM runs in the summary', () => {
  const llmJob = (i: number, goodput: number | null, slo?: JobSummary['slo']): JobSummary => ({
    ...job(i),
    params: { 'workload.concurrency': i, 'workload.prompts.outputTokens': 64 },
    slo,
    load: {
      ...job(i).load!,
      throughput: 0.5 * i,
      latency: { count: 35, minMs: 900, meanMs: 1200, p50Ms: 1100, p90Ms: 1500, p95Ms: 1600, p99Ms: 1900, p999Ms: 1900, maxMs: 1900, stddevMs: 200 },
      llm: {
        ttft: { p50Ms: 120.5 * i, p90Ms: 180 * i, p95Ms: 210 * i, p99Ms: 340.25 * i },
        tpot: { p50Ms: 21.5 + i, p90Ms: 24 + i, p95Ms: 25 + i, p99Ms: 28 + i },
        itlP50Ms: 20.75 + i,
        outputTokensPerS: 224 * i,
        goodput,
      },
    },
  });

  test('TTFT, ITL, TPOT, output tokens/s in place of the tensor latencies; goodput with an LLM SLO', () => {
    const { columns, rows } = summaryRows([llmJob(1, 3.1, { ttftMs: 300, percentile: 90 }), llmJob(2, 2.0, { ttftMs: 300, percentile: 90 })]);
    expect(columns).toEqual(['job', 'workload.concurrency', 'workload.prompts.outputTokens', 'status', 'TTFT p50 ms', 'TTFT p99 ms', 'ITL p50 ms', 'TPOT p50 ms', 'out tok/s', 'goodput req/s', 'req/s', 'errors', 'slo', 'valid']);
    expect(rows[0]).toMatchObject({ 'TTFT p50 ms': 120.5, 'TTFT p99 ms': 340.25, 'ITL p50 ms': 21.75, 'TPOT p50 ms': 22.5, 'out tok/s': 224, 'goodput req/s': 3.1, slo: 'met (TTFT p90 ≤ 300 ms)' });
    expect(summaryRows([llmJob(1, null, { ttftMs: 100 })]).rows[0].slo).toBe('missed (TTFT p99 340.25 > 100 ms)');
    // No LLM SLO: no goodput column.
    expect(summaryRows([llmJob(1, null)]).columns).not.toContain('goodput req/s');
    // A sweep over serving.api: both kinds of columns, each row filling its own.
    const mixed = summaryRows([job(0), llmJob(1, null)]);
    expect(mixed.columns).toEqual(expect.arrayContaining(['inf/s', 'p50 ms', 'TTFT p50 ms']));
    expect(mixed.rows[0]['TTFT p50 ms']).toBeUndefined();
    expect(mixed.rows[1]['p50 ms']).toBeUndefined();
  });

  test('fits a terminal: wrapped where that is enough, else the leading columns, naming the rest', () => {
    const jobs = [1, 2, 4, 8].map((c) => llmJob(c, 1.5 * c, { ttftMs: 300, tpotMs: 25 }));
    for (const width of [200, 120, 100, 80]) {
      const text = renderSummary(jobs, width);
      for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(width);
      expect(text).toContain('TTFT');
    }
    expect(renderSummary(jobs, 200)).not.toContain('columns shown');
    const narrow = renderSummary(jobs, 80);
    // 100 characters keep every per-token figure, goodput included (headers wrap).
    for (const h of ['TTFT p50', 'TTFT p99', 'ITL p50', 'TPOT p50', 'out', 'goodput']) expect(renderSummary(jobs, 100).split('\n')[1]).toContain(h);
    expect(narrow.replace(/\n/g, ' ')).toMatch(/\d+ of 14 columns shown to fit 80 characters; left out: .*status.*\(the same in every row: workload.prompts.outputTokens=64, status=completed, errors=0/);
    // Not a terminal: every column, one line per row.
    expect(renderSummary(jobs, undefined).split('\n')[1]).toContain('goodput req/s');
  });
});
