/**
 * The `servebench` command end to end, as a user runs it: the built CLI in a child process, a real Temporal
 * server (its own embedded one, or the shared test server), real onnxruntime, HTTP and DuckDB.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servebench } from '../support/cli';
import { launchBrowser, inspectPage } from '../support/browser';
import { freePort } from '../support/ports';
import { answers } from '../../workers/devserver';

const CONFIG = `name: clitest
model:
  generate: { family: mlp, layers: 2, hidden: 32, inputShape: [16], dtype: float32, seed: 3 }
workload:
  mode: server
  rate: 100
  warmup: 200ms
  duration: 1s
slo: { p99Ms: 500 }
sweep:
  workload.rate: [50, 100]
`;

function workspace(config = CONFIG): { dir: string; file: string; home: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-cli-'));
  const file = join(dir, 'clitest.yaml');
  writeFileSync(file, config);
  return { dir, file, home: join(dir, '.servebench') };
}

describe('servebench validate', () => {
  test('a bad value exits 2 naming the YAML path and line', async () => {
    const { file, home } = workspace(CONFIG.replace('rate: 100', 'rate: fast'));
    const r = await servebench(['validate', file], { SERVEBENCH_HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: workload.rate (line 6): expected a positive number, got "fast"`);
  });

  test('a good config exits 0 and says how many jobs it expands to', async () => {
    const { file, home } = workspace();
    const r = await servebench(['validate', file], { SERVEBENCH_HOME: home });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('expands to 2 jobs');
  });

  test('--settings prints the settings each job will run with, defaults and derived values resolved', async () => {
    const { file, home } = workspace();
    const r = await servebench(['validate', file, '--settings'], { SERVEBENCH_HOME: home });
    expect(r.code).toBe(0);
    const combos = JSON.parse(r.stdout) as { job: number; params: Record<string, unknown>; settings: Record<string, unknown> }[];
    expect(combos.map((c) => [c.job, c.params])).toEqual([
      [0, { 'workload.rate': 50 }],
      [1, { 'workload.rate': 100 }],
    ]);
    for (const [i, c] of combos.entries()) {
      expect(c.settings).toMatchObject({ mode: 'server', rate: [50, 100][i], concurrency: null, warmupMs: 200, durationMs: 1000, maxDurationMs: 10_000, requestTimeoutMs: 10_000, sloP99Ms: 500 });
    }
  });

  test('usage errors exit 2', async () => {
    const r = await servebench(['run'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing required argument 'config'/);
  });
});

describe('servebench --help', () => {
  test('every command marks what is required: arguments, and options that must be given', async () => {
    const help = async (...args: string[]) => {
      const r = await servebench([...args, '--help'], {});
      expect(r.code).toBe(0);
      return r.stdout;
    };
    const run = await help('run');
    expect(run).toContain('Usage: servebench run [options] <config>');
    expect(run).toMatch(/config +\(required\) YAML config file/);
    expect(run).toMatch(/--id <sweepId> +sweep workflow id/); // optional: not marked
    const exp = await help('export');
    expect(exp).toContain('Usage: servebench export --out <dir> [options] <sweep>');
    expect(exp).toMatch(/--out <dir> +\(required\) directory for the \.parquet files/);
    expect(await help('report')).toMatch(/sweep +\(required\) sweep id, name/);
    expect(await help('status')).toMatch(/sweep +\(optional\) sweep id, name/);
    expect(await help('worker')).toMatch(/role +\(required\) what this worker runs \(choices: "leader",\s+"follower"\)/);
    const query = await help('query');
    expect(query).toMatch(/sql +\(required\) SQL/);
    expect(query).toMatch(/--wide +every column/);
    expect(await help('suggest')).toMatch(/--allow-extrapolation +rank the predicted best/);
  });
});

describe('servebench run and query', () => {
  test('with no server answering, starts the embedded stack, runs the sweep, prints a summary and stops it all', async () => {
    const { file, home } = workspace();
    const env = { SERVEBENCH_HOME: home, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` };
    const run = await servebench(['run', file, '--id', 'cli-embedded'], env, 170_000);
    expect(run.stderr).toContain('starting the embedded Temporal dev server');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/j000-r0.*workload\.rate|workload\.rate[\s\S]*j000-r0/);
    expect(run.stdout.match(/completed/g)).toHaveLength(2);
    expect(await answers(env.TEMPORAL_ADDRESS)).toBe(false); // the embedded server was stopped

    const json = await servebench(['query', 'select count(*) as n from runs', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([{ n: 2 }]);

    const csv = await servebench(['query', "select target_rate, errors from runs where sweep_id = 'cli-embedded' order by 1", '--csv'], env);
    expect(csv.stdout.trim().split('\n')).toEqual(['target_rate,errors', '50,0', '100,0']);

    const bad = await servebench(['query', 'select nonsense from nowhere'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/nowhere/);

    // The report of that real run renders its plots in a real browser, with no errors and nothing fetched.
    const page = join(home, 'report.html');
    const report = await servebench(['report', 'latest', '--out', page], env);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('cli-embedded');
    const browser = await launchBrowser();
    try {
      const check = await inspectPage(browser, page, 'report-real-run.png');
      expect(check.errors).toEqual([]);
      expect(check.requests).toEqual([]);
      expect(check.plots.length).toBeGreaterThanOrEqual(4); // the heatmap needs two swept parameters; this sweep has one
      for (const plot of check.plots) {
        expect(plot.width).toBeGreaterThan(100);
        expect(plot.marks).toBeGreaterThan(0);
      }
    } finally {
      await browser.close();
    }

    // Two configurations are too few to fit a model: suggest says so and succeeds.
    const suggest = await servebench(['suggest', 'cli-embedded'], env);
    expect(suggest.code).toBe(0);
    expect(suggest.stdout + suggest.stderr).toMatch(/too small|too few/i);
  });

  test('a second run right after the first one (whose workers the server still lists) runs its own workers again', async () => {
    const { file, home } = workspace(CONFIG.replace(/sweep:[\s\S]*$/, ''));
    const env = { SERVEBENCH_HOME: home, TEMPORAL_NAMESPACE: 'servebench-rerun' };
    for (const id of ['rerun-1', 'rerun-2']) {
      const run = await servebench(['run', file, '--id', id, '--json'], env, 120_000);
      expect(run.stderr).not.toMatch(/no leader worker has answered/);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).jobs.map((j: { status: string }) => j.status)).toEqual(['completed']);
    }
  });

  test('with a server answering at TEMPORAL_ADDRESS and no workers there, runs its own workers against it', async () => {
    const { file, home } = workspace();
    const env = { SERVEBENCH_HOME: home, TEMPORAL_NAMESPACE: 'servebench-cli' };
    const run = await servebench(['run', file, '--id', 'cli-shared', '--json'], env, 170_000);
    expect(run.stderr).not.toContain('starting the embedded');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.sweepId).toBe('cli-shared');
    expect(result.jobs.map((j: { status: string }) => j.status)).toEqual(['completed', 'completed']);
    const q = await servebench(['query', 'select sweep_id, status, jobs_done from sweeps', '--json'], env);
    expect(JSON.parse(q.stdout)).toEqual([{ sweep_id: 'cli-shared', status: 'completed', jobs_done: 2 }]);
  });
});
