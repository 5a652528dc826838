/**
 * `servebench compare` on two real sweeps recorded by `servebench run` (real Temporal, onnxruntime, HTTP,
 * DuckDB), where B serves a much larger model on purpose: B must come out slower, the regression gate must
 * exit 6, and a sweep compared with itself must show no change. `report --compare` puts it on the page.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servebench, type CliResult } from '../support/cli';

// Same swept parameter values apart from one each side (to be listed apart); B's model does ~10000x the work.
const config = (name: string, generate: string, concurrency: string): string => `name: ${name}
model:
  generate: ${generate}
serving: { instances: 1, intraOpThreads: 1, interOpThreads: 1 }
workload:
  mode: concurrency
  concurrency: 1
  warmup: 300ms
  duration: 3s
sweep:
  workload.concurrency: ${concurrency}
`;
const FAST = config('cmp-fast', '{ family: mlp, layers: 2, hidden: 32, inputShape: [16], dtype: float32, seed: 3 }', '[1, 2]');
const SLOW = config('cmp-slow', '{ family: mlp, layers: 4, hidden: 2048, inputShape: [2048], dtype: float32, seed: 3 }', '[1, 4]');

const dir = mkdtempSync(join(tmpdir(), 'sb-compare-'));
const env = { SERVEBENCH_HOME: join(dir, '.servebench') };
const fastFile = join(dir, 'fast.yaml');
const slowFile = join(dir, 'slow.yaml');
writeFileSync(fastFile, FAST);
writeFileSync(slowFile, SLOW);

const cli = (args: string[]): Promise<CliResult> => servebench(args, env, 120_000);

interface JsonComparison {
  a: { sweepId: string };
  b: { sweepId: string };
  matched: { params: Record<string, unknown>; verdict: string; metrics: { metric: string; judgement: string; change: { value: number; lo: number; hi: number } }[] }[];
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

test('B with a much larger model is slower, job by job; the gate exits 6', async () => {
  const r = await cli(['compare', 'cmp-a', 'cmp-b', '--json', '--fail-on-regression', '10']);
  expect(r.code).toBe(6);
  expect(r.stderr).toContain('regression gate failed');
  const c = JSON.parse(r.stdout) as JsonComparison;
  expect([c.a.sweepId, c.b.sweepId]).toEqual(['cmp-a', 'cmp-b']);
  expect(c.matched.map((j) => [j.params, j.verdict])).toEqual([[{ 'workload.concurrency': 1 }, 'slower']]);
  const judged = Object.fromEntries(c.matched[0].metrics.map((m) => [m.metric, m.judgement]));
  expect(judged).toEqual({ throughput: 'worse', p50: 'worse', p90: 'worse', p99: 'worse' });
  const p99 = c.matched[0].metrics.find((m) => m.metric === 'p99')!;
  expect(p99.change.lo).toBeGreaterThan(0);
  expect(p99.change.lo).toBeLessThanOrEqual(p99.change.value);
  expect(p99.change.value).toBeLessThanOrEqual(p99.change.hi);
  expect(c.onlyInA).toEqual([{ 'workload.concurrency': 2 }]);
  expect(c.onlyInB).toEqual([{ 'workload.concurrency': 4 }]);
  expect(c.configDiff.map((d) => d.path)).toEqual(expect.arrayContaining(['model.generate.hidden', 'model.generate.layers']));
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
