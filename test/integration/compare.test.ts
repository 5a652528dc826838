/**
 * `servebench compare` on two real sweeps recorded by `servebench run` (real Temporal, onnxruntime, HTTP,
 * DuckDB), where B is made slower on purpose (a batching delay): B must come out slower, the regression gate must
 * exit 6, and a sweep compared with itself must show no change. `report --compare` puts it on the page.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servebench, type CliResult } from '../support/cli';
import { withDatabase } from '../../analysis/db';

// The same model and swept parameter (apart from one value each side, to be listed apart); B holds every
// request in a batching queue for 100 ms (it never fills at concurrency 1). That floor, far above anything the
// tiny model takes, keeps B slower however busy the host is while either sweep runs: a larger model alone
// did not (a stalled host once gave A a p99 of 53 ms and B a better tail).
const config = (name: string, serving: string, concurrency: string): string => `name: ${name}
model:
  generate: { family: mlp, layers: 2, hidden: 32, inputShape: [16], dtype: float32, seed: 3 }
serving: { instances: 1, intraOpThreads: 1, interOpThreads: 1${serving} }
workload:
  mode: concurrency
  concurrency: 1
  warmup: 300ms
  duration: 3s
sweep:
  workload.concurrency: ${concurrency}
`;
const FAST = config('cmp-fast', '', '[1, 2]');
const SLOW = config('cmp-slow', ', batching: { maxBatchSize: 8, maxQueueDelayMs: 100 }', '[1, 4]');

const dir = mkdtempSync(join(tmpdir(), 'sb-compare-'));
// A namespace of its own: `run` starts its workers only where no worker polled in the last 2 minutes, and other
// test files' workers (namespace default) may have, just before, then gone — leaving this sweep to no one.
const env = { SERVEBENCH_HOME: join(dir, '.servebench'), TEMPORAL_NAMESPACE: 'servebench-compare' };
const fastFile = join(dir, 'fast.yaml');
const slowFile = join(dir, 'slow.yaml');
writeFileSync(fastFile, FAST);
writeFileSync(slowFile, SLOW);

const cli = (args: string[]): Promise<CliResult> => servebench(args, env, 120_000);

interface JsonComparison {
  a: { sweepId: string };
  b: { sweepId: string };
  matched: { params: Record<string, unknown>; verdict: string; invalid: boolean; notes: string[]; metrics: { metric: string; judgement: string; change: { value: number; lo: number; hi: number } }[] }[];
  onlyInA: Record<string, unknown>[];
  onlyInB: Record<string, unknown>[];
  configDiff: { path: string }[];
  gate?: { regressions: unknown[] };
}

beforeAll(async () => {
  for (const [file, id] of [[fastFile, 'cmp-a'], [slowFile, 'cmp-b']]) {
    const run = await servebench(['run', file, '--id', id, '--json'], env, 300_000);
    if (run.code !== 0) throw new Error(`servebench run ${id} exited ${run.code}:\n${run.stderr}`);
    expect(JSON.parse(run.stdout).jobs.map((j: { status: string }) => j.status)).toEqual(['completed', 'completed']);
  }
}, 620_000);

test('B with a 100 ms batching delay is slower; the gate exits 6', async () => {
  const r = await cli(['compare', 'cmp-a', 'cmp-b', '--json', '--fail-on-regression', '10']);
  expect(r.code).toBe(6);
  expect(r.stderr).toContain('regression gate failed');
  const c = JSON.parse(r.stdout) as JsonComparison;
  expect([c.a.sweepId, c.b.sweepId]).toEqual(['cmp-a', 'cmp-b']);
  expect(c.matched.map((j) => [j.params, j.verdict])).toEqual([[{ 'workload.concurrency': 1 }, 'slower']]);
  const judged = Object.fromEntries(c.matched[0].metrics.map((m) => [m.metric, m.judgement]));
  expect(judged).toMatchObject({ throughput: 'worse', p50: 'worse' });
  expect(Object.values(judged)).not.toContain('better');
  const p50 = c.matched[0].metrics.find((m) => m.metric === 'p50')!;
  expect(p50.change.lo).toBeGreaterThan(0);
  expect(p50.change.lo).toBeLessThanOrEqual(p50.change.value);
  expect(p50.change.value).toBeLessThanOrEqual(p50.change.hi);
  expect(c.onlyInA).toEqual([{ 'workload.concurrency': 2 }]);
  expect(c.onlyInB).toEqual([{ 'workload.concurrency': 4 }]);
  expect(c.configDiff.map((d) => d.path)).toEqual(['serving.batching.maxBatchSize', 'serving.batching.maxQueueDelayMs']);
  expect(c.gate?.regressions.length).toBeGreaterThan(0);

  // The terminal table says the same, and config files stand for their latest sweeps.
  const table = await cli(['compare', fastFile, slowFile]);
  expect(table.code).toBe(0); // no gate asked for
  expect(table.stdout).toMatch(/concurrency=1\s*│[\s\S]*→ slower/);
  expect(table.stdout).toContain('only in A (not compared): concurrency=2');
  expect(table.stdout).toContain('B differs from A in:');
  for (const line of table.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(120);

  const md = await cli(['compare', 'cmp-a', 'cmp-b', '--markdown', '--confidence', '99']);
  expect(md.code).toBe(0);
  expect(md.stdout).toMatch(/\| concurrency=1 \| \*\*slower\*\* \| inf\/s \|/);
  expect(md.stdout).toContain('change [99% CI]');
});

test('a sweep against itself: no significant change on every metric, and the gate passes at 0%', async () => {
  const r = await cli(['compare', 'cmp-a', 'cmp-a', '--json', '--fail-on-regression', '0']);
  expect(r.code).toBe(0);
  const c = JSON.parse(r.stdout) as JsonComparison;
  expect(c.matched).toHaveLength(2);
  for (const j of c.matched) {
    expect(j.verdict).toBe('no significant change');
    for (const m of j.metrics) expect(m.change.value).toBe(0);
  }
  expect(c.gate?.regressions).toEqual([]);

  // The baseline may live in another results file (one kept from the main branch, say).
  const baseline = join(dir, 'baseline.duckdb');
  copyFileSync(join(env.SERVEBENCH_HOME, 'results.duckdb'), baseline);
  const other = await cli(['compare', 'cmp-a', 'cmp-a', '--baseline-db', baseline, '--json']);
  expect(other.code).toBe(0);
  expect((JSON.parse(other.stdout) as JsonComparison).matched.map((j) => j.verdict)).toEqual(['no significant change', 'no significant change']);
  const missing = await cli(['compare', 'cmp-a', 'cmp-b', '--baseline-db', join(dir, 'nowhere.duckdb')]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain(`no results database at ${join(dir, 'nowhere.duckdb')}`);
});

test('a run whose every request failed is not compared (and fails the gate); an invalid run is compared but says so', async () => {
  // A copy of sweep A's real rows, in which job 0's requests all failed and job 1's run broke the run rules.
  await withDatabase(join(env.SERVEBENCH_HOME, 'results.duckdb'), 'read-write', async (conn) => {
    const id = (col: string): string => `replace(${col}, 'cmp-a', 'cmp-broken') AS ${col}`;
    await conn.run(`INSERT INTO sweeps SELECT * REPLACE ('cmp-broken' AS sweep_id, 'cmp-broken' AS name) FROM sweeps WHERE sweep_id = 'cmp-a'`);
    await conn.run(`INSERT INTO jobs SELECT * REPLACE (${id('job_id')}, 'cmp-broken' AS sweep_id) FROM jobs WHERE sweep_id = 'cmp-a'`);
    await conn.run(`INSERT INTO runs SELECT * REPLACE (${id('run_id')}, ${id('job_id')}, 'cmp-broken' AS sweep_id) FROM runs WHERE sweep_id = 'cmp-a'`);
    await conn.run(`UPDATE runs SET ok = 0, errors = requests, throughput = 0, inferences_per_s = 0, histogram = NULL,
                      error_counts = '[{"message": "HTTP 503: overloaded", "count": 42}]' WHERE run_id = 'cmp-broken/j000-r0'`);
    await conn.run(`UPDATE runs SET valid = false, invalid_reasons = '["latency grew through the run"]' WHERE run_id = 'cmp-broken/j001-r0'`);
  });
  const r = await cli(['compare', 'cmp-a', 'cmp-broken', '--json', '--fail-on-regression', '50']);
  expect(r.code).toBe(6);
  const c = JSON.parse(r.stdout) as JsonComparison;
  const [failed, invalid] = c.matched;
  expect(failed).toMatchObject({ params: { 'workload.concurrency': 1 }, verdict: 'not comparable', metrics: [] });
  expect(failed.notes.join('\n')).toMatch(/B: every request failed \(\d+ errors, most often "HTTP 503: overloaded"\)/);
  expect(invalid).toMatchObject({ params: { 'workload.concurrency': 2 }, verdict: 'no significant change', invalid: true });
  expect(invalid.notes.join('\n')).toContain('B: invalid run (latency grew through the run)');
  expect(c.gate?.regressions).toEqual([{ params: { 'workload.concurrency': 1 }, reason: 'B measured nothing where A did' }]);
  const table = await cli(['compare', 'cmp-a', 'cmp-broken']);
  expect(table.stdout).toContain('→ not comparable');
  expect(table.stdout).toContain('→ no change (invalid run)');
});

test('report --compare puts the comparison on the page and in the summary', async () => {
  const page = join(dir, 'report.html');
  const r = await cli(['report', 'cmp-b', '--compare', 'cmp-a', '--out', page]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('## Comparison: cmp-slow against cmp-fast');
  const html = readFileSync(page, 'utf8');
  expect(html).toContain('id="comparison"');
  expect(html).toMatch(/<td class="p missed" rowspan="4">slower<\/td>/);
});

test('an unknown sweep or a bad level is bad input: exit 2', async () => {
  const unknown = await cli(['compare', 'cmp-a', 'nope']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('no sweep with id or name "nope"');
  const level = await cli(['compare', 'cmp-a', 'cmp-b', '--confidence', '150']);
  expect(level.code).toBe(2);
  expect(level.stderr).toContain('--confidence');
  const report = await cli(['report', 'cmp-b', '--compare', 'nope', '--out', join(dir, 'x.html')]);
  expect(report.code).toBe(2);
});
