/**
 * `servebench suggest` on a real DuckDB file: fixture sweeps written by SQL the way the record activity lays them
 * out, the `results` view rebuilt over them, then the command's printed output.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { withDatabase } from '../../analysis/db';
import { createViews } from '../../analysis/views';
import { suggestCommand } from '../../cli/commands/suggest';
import { CliError, EXIT } from '../../cli/exit-codes';

const C = 'workload.concurrency';
const B = 'serving.batching.maxBatchSize';

/** Closed-loop serving with a known law: throughput saturates at a capacity batching raises; p99 from Little's law. */
function law(c: number, b: number, wobble: number): { ips: number; p99: number } {
  const ips = Math.min(c * 900, 3000 * (1 + Math.log2(b) / 4)) * wobble;
  return { ips, p99: ((3 * c) / ips) * 1000 * b ** 0.3 * (2 - wobble) };
}

async function insertSweep(conn: DuckDBConnection, id: string, name: string, startedAt: string, grid: Record<string, number>[], repeats: number, slo: number | null) {
  const total = grid.length * repeats;
  await conn.run(
    `INSERT INTO sweeps (sweep_id, name, status, jobs_total, jobs_done, jobs_failed, slo_p99_ms, config, started_at, finished_at)
     VALUES ('${id}', '${name}', 'completed', ${total}, ${total}, 0, ${slo ?? 'NULL'}, '{}', TIMESTAMPTZ '${startedAt}', TIMESTAMPTZ '${startedAt}')`,
  );
  let k = 0;
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const [index, params] of grid.entries()) {
      const job = `${id}-j${index}-r${repeat}`;
      // Deterministic ±4% "noise", different for each run.
      const wobble = 1 + 0.04 * Math.sin(1.7 * k++ + 0.3);
      const { ips, p99 } = law(params[C], params[B], wobble);
      await conn.run(
        `INSERT INTO jobs (job_id, sweep_id, job_index, repeat_index, status, params, config, cluster, device, recorded_at)
         VALUES ('${job}', '${id}', ${index}, ${repeat}, 'completed', '${JSON.stringify(params)}', '{}', 'local', 'cpu', now())`,
      );
      await insertRun(conn, `${job}-run`, job, id, ips, p99, slo);
    }
  }
}

async function insertRun(conn: DuckDBConnection, runId: string, job: string, sweep: string, ips: number, p99: number | null, slo: number | null) {
  await conn.run(
    `INSERT INTO runs (run_id, job_id, sweep_id, mode, batch_size, concurrency, warmup_ms, duration_ms, measured_ms, requests, ok, errors,
                       throughput, inferences_per_s, achieved_rate, lat_p50_ms, lat_p99_ms, slo_p99_ms, meets_slo, started_at, finished_at)
     VALUES ('${runId}', '${job}', '${sweep}', 'concurrency', 1, 1, 1000, 10000, 10000, 1000, 1000, 0,
             ${ips}, ${ips}, ${ips}, ${p99 === null ? 'NULL' : p99 / 3}, ${p99 ?? 'NULL'}, ${slo ?? 'NULL'},
             ${slo === null || p99 === null ? 'NULL' : p99 <= slo}, now(), now())`,
  );
}

describe('servebench suggest (real DuckDB file)', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sb-suggest-')), 'results.duckdb');
  let out = '';

  beforeAll(async () => {
    await withDatabase(file, 'read-write', async (conn) => {
      const grid = [1, 2, 4, 8, 16].flatMap((c) => [1, 4, 16].map((b) => ({ [C]: c, [B]: b })));
      await insertSweep(conn, 'demo-20250101', 'demo', '2025-01-01 10:00:00+00', grid, 2, 12);
      // A run that measured nothing: left out of the fit, and said so.
      await conn.run(
        `INSERT INTO jobs (job_id, sweep_id, job_index, repeat_index, status, params, config, cluster, device, recorded_at)
         VALUES ('demo-20250101-j0-r2', 'demo-20250101', 0, 2, 'completed', '{"${C}": 1, "${B}": 1}', '{}', 'local', 'cpu', now())`,
      );
      await insertRun(conn, 'demo-20250101-j0-r2-run', 'demo-20250101-j0-r2', 'demo-20250101', 0, null, 12);
      await insertSweep(conn, 'tiny-20240101', 'tiny', '2024-01-01 10:00:00+00', [1, 2, 4].map((c) => ({ [C]: c, [B]: 8 })), 3, null);
      await createViews(conn);
    });
  });

  beforeEach(() => {
    out = '';
    jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string) => {
      out += chunk;
      return true;
    }) as typeof process.stdout.write);
  });
  afterEach(() => jest.restoreAllMocks());

  test('prints the held-out error first, then suggestions and pasteable sweep blocks', async () => {
    expect(await suggestCommand('demo', { db: file })).toBe(EXIT.ok);
    const lines = out.split('\n');
    const m = lines[0].match(/^held-out error \(5-fold by configuration, 30 runs\): throughput MAPE ([\d.]+)%, p99 MAPE ([\d.]+)%$/);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(20);
    expect(Number(m![2])).toBeLessThan(20);
    expect(lines[1]).toMatch(/^ {2}worst run: throughput [\d.]+%, p99 [\d.]+%; predicting the training mean instead: throughput MAPE [\d.]+%/);
    expect(out).toContain('sweep demo (demo-20250101): 15 configurations of workload.concurrency, serving.batching.maxBatchSize');
    expect(out).toContain('1 run left out: no positive throughput or p99');
    expect(out).toMatch(/SLO p99 ≤ 12 ms; best measured \d+ inferences\/s at /);
    expect(out).toContain('highest predicted throughput with p99 ≤ 12 ms');
    // The knee is sharp, the model smooth: it says so rather than promise more than was measured.
    expect(out).toContain('no unmeasured candidate is predicted to beat the best measured configuration (6077 inferences/s)');
    expect(out).toContain('most uncertain: spread');
    expect(out).toMatch(/│ inferences\/s +│ p99 ms +│/);
    expect(out).toMatch(/│ # │ kind +│ workload\.concurrency │ serving\.batching\.maxBatchSize │/);
    expect(out).toMatch(/# 1\. highest predicted throughput with p99 ≤ 12 ms\nsweep:\n {2}workload\.concurrency: \[\d+\]\n {2}serving\.batching\.maxBatchSize: \[\d+\]/);
    expect(out.match(/^sweep:$/gm)).toHaveLength(6);
    // Prediction intervals, with what they are.
    expect(out).toContain('predicted value (90% prediction interval for one run, conformal, calibrated on 30 held-out runs)');
    // At 100 characters the intervals wrap under their values.
    expect(out).toMatch(/│ 1 │ best +│ \d+ +│ \d+ +│ \d+ +│ [\d.]+ +│\n│ +│ +│ +│ +│ \(\d+–\d+\) +│ \([\d.]+–[\d.]+\) +│/);
    // The table fits 100 characters (stdout is not a terminal here).
    for (const line of out.split('\n').filter((l) => /^[│┌├└]/.test(l))) expect([...line].length).toBeLessThanOrEqual(100);
    // The most uncertain point lies beyond the measured range: starred, with each parameter's measured range below.
    expect(out).toMatch(/│ 4 │ explore │ \d+ \* +│ \d+ \* +│/);
    expect(out).toContain('* outside the measured range (an extrapolation): ');
    expect(out).toMatch(/workload\.concurrency measured 1–16/);
    expect(out).toMatch(/# 4\. most uncertain: .*; extrapolation: .*above the measured 1–16/);
  });

  test('--allow-extrapolation and --coverage: the JSON carries each suggestion\'s interval and extrapolation', async () => {
    await suggestCommand('demo', { db: file, json: true });
    const fenced = JSON.parse(out);
    out = '';
    await suggestCommand('demo', { db: file, json: true, allowExtrapolation: true, coverage: 0.5 });
    const open = JSON.parse(out);
    expect(fenced.intervals).toMatchObject({ coverage: 0.9, runs: 30, exact: true });
    expect(open.intervals).toMatchObject({ coverage: 0.5, runs: 30 });
    // A 50% interval is narrower than a 90% one: a smaller multiple of the same scale.
    expect(open.intervals.inferencesPerS).toBeLessThan(fenced.intervals.inferencesPerS);
    type S = { kind: string; params: Record<string, number>; extrapolated: { key: string; measured: number[] }[]; inferencesPerS: { value: number; low: number; high: number } };
    const bestOf = (r: { suggestions: S[] }) => r.suggestions.filter((s) => s.kind === 'best');
    // Inside the range by default; every extrapolation names its parameter and the measured range.
    for (const s of bestOf(fenced)) expect(s.extrapolated).toEqual([]);
    for (const s of [...fenced.suggestions, ...open.suggestions] as S[]) {
      expect(s.inferencesPerS.low).toBeLessThan(s.inferencesPerS.value);
      expect(s.inferencesPerS.high).toBeGreaterThan(s.inferencesPerS.value);
      for (const e of s.extrapolated) {
        expect(e.measured).toEqual([1, 16]); // both parameters were swept over 1–16
        expect(s.params[e.key] < e.measured[0] || s.params[e.key] > e.measured[1]).toBe(true);
      }
    }
    await expect(suggestCommand('demo', { db: file, coverage: 1.5 })).rejects.toMatchObject({ exitCode: EXIT.invalid, message: expect.stringMatching(/--coverage must be a fraction between 0 and 1/) });
  });

  test('--json: one object with the error, the model and the suggestions; `latest` and the id name the same sweep', async () => {
    expect(await suggestCommand('latest', { db: file, json: true })).toBe(EXIT.ok);
    const result = JSON.parse(out);
    out = '';
    await suggestCommand('demo-20250101', { db: file, json: true });
    expect(JSON.parse(out)).toEqual(result);
    expect(result).toMatchObject({ sweep: { id: 'demo-20250101', name: 'demo', status: 'completed' }, sloP99Ms: 12, runs: 30, skippedRuns: 1, configurations: 15 });
    expect(result.heldOutError).toMatchObject({ folds: 5, runs: 30, configurations: 15 });
    expect(result.heldOutError.inferencesPerS.mape).toBeLessThan(result.heldOutError.baseline.inferencesPerS.mape);
    expect(result.model.features.length).toBeGreaterThan(0);
    const best = result.suggestions.filter((s: { kind: string }) => s.kind === 'best');
    expect(best).toHaveLength(3);
    for (const s of best) expect(s.p99Ms.value).toBeLessThanOrEqual(12);
    expect(result.suggestions.filter((s: { kind: string }) => s.kind === 'uncertain')).toHaveLength(3);
  });

  test('too small to fit: says why and exits 0', async () => {
    expect(await suggestCommand('tiny', { db: file })).toBe(EXIT.ok);
    expect(out).toBe('the sweep is too small to fit a model: 3 configurations measured, at least 4 needed (sweep more values)\n');
    out = '';
    await suggestCommand('tiny', { db: file, json: true });
    expect(JSON.parse(out)).toMatchObject({ runs: 9, configurations: 3, tooSmall: expect.stringMatching(/too small/) });
  });

  test('an unknown sweep or a missing file is invalid input', async () => {
    await expect(suggestCommand('nope', { db: file })).rejects.toMatchObject({ exitCode: EXIT.invalid, message: expect.stringMatching(/no sweep with id or name "nope"/) });
    await expect(suggestCommand('demo', { db: join(tmpdir(), 'missing-sb', 'results.duckdb') })).rejects.toBeInstanceOf(CliError);
    await expect(suggestCommand('demo', { db: join(tmpdir(), 'missing-sb', 'results.duckdb') })).rejects.toMatchObject({ exitCode: EXIT.invalid });
  });
});
