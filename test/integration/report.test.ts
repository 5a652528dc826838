/**
 * `servebench report` against a real DuckDB file written with the production schema, and the page it makes
 * opened in headless Chromium (Debian's `chromium`, driven by playwright-core; scripts/setup.sh installs it).
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { CHROMIUM, inspectPage, launchBrowser } from '../support/browser';
import { withDatabase } from '../../analysis/db';
import { createViews } from '../../analysis/views';
import { reportCommand } from '../../cli/commands/report';
import { CliError, EXIT } from '../../cli/exit-codes';

const HOSTILE = '<img src=x onerror=alert(1)>';
const PLOT_IDS = ['throughput-latency', 'pareto', 'latency-cdf', 'latency-percentiles', 'heatmap', 'roofline', 'server-time', 'batch-sizes'];

interface JobSpec {
  params: Record<string, unknown>;
  p50: number;
  p99: number;
  ips: number;
  rowsPerRun?: number;
  /** runs.serving_system, and the server_stats row's own numbers (in place of rowsPerRun's). */
  system?: string;
  server?: Record<string, DuckDBValue>;
  /** The run rules' reasons: the run is invalid with them. */
  invalid?: string[];
  /** Every request failed with these [message, count]s: no latency, no buckets. */
  failedWith?: [string, number][];
  /** server_batch_sizes: rows per model run -> model runs. */
  batches?: Record<number, number>;
}

/** jobs.host as a measurement records it (activities/probe/host.ts). */
const HOST = {
  hostname: 'bench-box', cpuModel: 'Intel(R) Xeon(R) Platinum 8480+', cores: 8, memoryBytes: 32 * 1024 ** 3, gpus: [],
  providers: ['cpu'], onnxruntime: '1.21.0', node: 'v20.18.0', peakGflops: 61.5,
  peakMethod: 'onnxruntime MatMul 512×512 float32 on 8 threads: best of 40 runs in 300 ms, pinned to cores 0-7',
};

// Abramowitz–Stegun 7.1.26: enough for a plausible fixture CDF.
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return Math.sign(x) * y;
}

/** Log-normal latency buckets whose median and p99 match the run's, as the recorder derives them from a histogram. */
function buckets(p50: number, p99: number, total: number): { le: number; count: number; cum: number; frac: number }[] {
  const sigma = Math.log(p99 / p50) / 2.326;
  const out = [];
  let prev = 0;
  for (let i = 0; i <= 40; i++) {
    const le = 0.05 * Math.pow(2000, i / 40); // 0.05 ms … 100 ms
    const frac = i === 40 ? 1 : 0.5 * (1 + erf(Math.log(le / p50) / (sigma * Math.SQRT2)));
    const cum = Math.round(frac * total);
    out.push({ le, count: cum - prev, cum, frac: cum / total });
    prev = cum;
  }
  return out;
}

async function insert(conn: DuckDBConnection, table: string, row: Record<string, DuckDBValue>): Promise<void> {
  const cols = Object.keys(row);
  await conn.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, Object.values(row));
}

async function writeSweep(
  file: string,
  sweep: { id: string; name: string; slo: number | null; flops: number | null; startedAt: string; model?: string },
  jobs: JobSpec[],
  failed: JobSpec[] = [],
): Promise<void> {
  await withDatabase(file, 'read-write', async (conn) => {
    await insert(conn, 'sweeps', {
      sweep_id: sweep.id, name: sweep.name, status: failed.length ? 'failed' : 'completed', jobs_total: jobs.length + failed.length,
      jobs_done: jobs.length, jobs_failed: failed.length, slo_p99_ms: sweep.slo, config: '{}', started_at: sweep.startedAt, finished_at: sweep.startedAt,
    });
    const all = [...jobs.map((j) => ({ j, ok: true })), ...failed.map((j) => ({ j, ok: false }))];
    for (const [index, { j, ok }] of all.entries()) {
      const jobId = `${sweep.id}-j${index}`;
      await insert(conn, 'jobs', {
        job_id: jobId, sweep_id: sweep.id, job_index: index, repeat_index: 0, status: ok ? 'completed' : 'failed',
        error: ok ? null : 'serve: the server did not become ready within 30 s', params: JSON.stringify(j.params), config: '{}',
        cluster: 'local', node: 'host-1', device: 'cpu', model_name: sweep.model ?? 'mlp-4x512', model_family: 'mlp',
        model_parameters: 1_050_624, model_flops: sweep.flops, recorded_at: sweep.startedAt, host: ok ? JSON.stringify(HOST) : null,
      });
      if (!ok) continue;
      const failedWith = j.failedWith ?? [];
      const errors = failedWith.reduce((n, [, c]) => n + c, 0);
      const requests = errors || Math.round(j.ips * 10);
      const reasons = j.invalid ?? (errors ? [`all ${errors} requests failed: ${failedWith[0][0]}`] : []);
      const lat = errors ? null : 1;
      await insert(conn, 'runs', {
        run_id: jobId, job_id: jobId, sweep_id: sweep.id, mode: 'concurrency', batch_size: 1, concurrency: 1,
        warmup_ms: 2000, duration_ms: 10000, measured_ms: 10000, requests, ok: requests - errors, errors,
        throughput: j.ips, inferences_per_s: j.ips, achieved_rate: j.ips, lat_p50_ms: lat && j.p50, lat_p90_ms: lat && j.p50 * 1.5,
        lat_p95_ms: lat && j.p50 * 1.8, lat_p99_ms: lat && j.p99, lat_p999_ms: lat && j.p99 * 1.4, lat_max_ms: lat && j.p99 * 2, lat_mean_ms: lat && j.p50 * 1.1,
        slo_p99_ms: sweep.slo, meets_slo: sweep.slo === null ? null : !errors && j.p99 <= sweep.slo, started_at: sweep.startedAt, finished_at: sweep.startedAt,
        serving_system: j.system ?? 'builtin', valid: !reasons.length, invalid_reasons: JSON.stringify(reasons),
        error_counts: JSON.stringify(failedWith.map(([message, count]) => ({ message, count }))),
        error_samples: JSON.stringify(failedWith.map(([message]) => message)),
      });
      if (!errors) {
        for (const [bucket, b] of buckets(j.p50, j.p99, requests).entries()) {
          await insert(conn, 'latency_buckets', { run_id: jobId, bucket, le_ms: b.le, count: b.count, cumulative_count: b.cum, cumulative_fraction: b.frac });
        }
      }
      for (const [size, count] of Object.entries(j.batches ?? {})) await insert(conn, 'server_batch_sizes', { run_id: jobId, batch_size: Number(size), count });
      if (j.server) await insert(conn, 'server_stats', { run_id: jobId, system: j.system ?? 'builtin', requests, ...j.server });
      if (j.rowsPerRun) {
        await insert(conn, 'server_stats', {
          run_id: jobId, requests, inferences: requests, batches: Math.round(requests / j.rowsPerRun), queue_mean_us: j.p50 * 300 * j.rowsPerRun, compute_mean_us: j.p50 * 400,
        });
      }
    }
    // `results` gets one column per swept parameter only when rebuilt after the jobs exist.
    await createViews(conn);
  });
}

/** concurrency [1,2,4] × maxBatchSize [1,8], with numbers shaped like the README's example run. */
const GRID: JobSpec[] = [
  { params: { 'workload.concurrency': 1, 'serving.batching.maxBatchSize': 1 }, p50: 0.37, p99: 1.25, ips: 2424.7, rowsPerRun: 1 },
  {
    params: { 'workload.concurrency': 1, 'serving.batching.maxBatchSize': 8 }, p50: 1.59, p99: 4.31, ips: 598.7, rowsPerRun: 1,
    invalid: ['latency grew through the run (p50 0.9 ms → 2.4 ms, p99 2.1 ms → 6.0 ms)'],
  },
  { params: { 'workload.concurrency': 2, 'serving.batching.maxBatchSize': 1 }, p50: 0.48, p99: 1.4, ips: 3810.2, rowsPerRun: 1 },
  { params: { 'workload.concurrency': 2, 'serving.batching.maxBatchSize': 8 }, p50: 1.1, p99: 3.2, ips: 1790.5, rowsPerRun: 1.9, batches: { 1: 310, 2: 420, 3: 110 } },
  { params: { 'workload.concurrency': 4, 'serving.batching.maxBatchSize': 1 }, p50: 0.66, p99: 1.62, ips: 5582.7, rowsPerRun: 1 },
  { params: { 'workload.concurrency': 4, 'serving.batching.maxBatchSize': 8 }, p50: 0.74, p99: 2.56, ips: 5106.7, rowsPerRun: 3.6, batches: { 1: 40, 2: 60, 4: 520, 6: 200, 8: 90 } },
  // A run in which every request failed: no latency, listed with its errors.
  { params: { 'workload.concurrency': 8, 'serving.batching.maxBatchSize': 1 }, p50: 0, p99: 0, ips: 0, failedWith: [['HTTP 503: model is not ready', 812], ['timed out after 10 s', 4]] },
];

/** One model on three serving systems, each with what its server reports (MLServer: no rows, runs, queue or compute). */
const SYSTEMS: JobSpec[] = [
  { params: { 'serving.system': 'builtin' }, system: 'builtin', p50: 1.2, p99: 2.1, ips: 1504, server: { inferences: 15040, batches: 7530, queue_mean_us: 1217.9, compute_mean_us: 68.7 } },
  { params: { 'serving.system': 'triton' }, system: 'triton', p50: 3.0, p99: 3.9, ips: 939, server: { inferences: 9390, batches: 5230, queue_mean_us: 1137.6, compute_mean_us: 1713.8, request_mean_us: 2929.4 } },
  { params: { 'serving.system': 'mlserver' }, system: 'mlserver', p50: 1.9, p99: 3.4, ips: 983, server: { request_mean_us: 1712.4 } },
];

describe('servebench report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-report-'));
  const db = join(dir, 'results.duckdb');
  let browser: Browser | undefined;
  let stdout: string;
  let stderr: string;

  beforeAll(async () => {
    await writeSweep(db, { id: 'grid-1', name: 'concurrency-x-batching', slo: 2, flops: 4_194_304, startedAt: '2025-01-02T10:00:00Z' }, GRID, [
      { params: { 'workload.concurrency': 8, 'serving.batching.maxBatchSize': 8 }, p50: 0, p99: 0, ips: 0 },
    ]);
    // An earlier sweep of the same model and device: one of its runs is on the Pareto front too.
    await writeSweep(db, { id: 'old-1', name: 'earlier', slo: null, flops: 4_194_304, startedAt: '2025-01-01T10:00:00Z' }, [
      { params: { 'workload.concurrency': 16 }, p50: 2.1, p99: 6.5, ips: 7100 },
    ]);
    // One swept parameter, and a model file without a FLOPs estimate.
    await writeSweep(db, { id: 'one-1', name: 'rate-only', slo: 50, flops: null, startedAt: '2024-12-01T10:00:00Z', model: 'resnet-file' }, [1, 2, 4, 8].map((c, i) => ({
      params: { 'workload.concurrency': c }, p50: 0.4 * (i + 1), p99: 1.3 * (i + 1), ips: 2400 * Math.sqrt(c),
    })));
    await writeSweep(db, { id: 'evil-1', name: HOSTILE, slo: 5, flops: 1000, startedAt: '2024-11-01T10:00:00Z', model: HOSTILE }, [
      { params: { 'workload.<b>x</b>': '</svg><script>alert(2)</script>', 'a|b': 'x|y' }, p50: 1, p99: 3, ips: 100 },
      { params: { 'workload.<b>x</b>': '"><img src=y onerror=alert(3)>', 'a|b': 'z' }, p50: 2, p99: 4, ips: 200 },
    ]);
    await writeSweep(db, { id: 'systems-1', name: 'systems', slo: 5, flops: 4_194_304, startedAt: '2024-10-01T10:00:00Z', model: 'mlp-systems' }, SYSTEMS);
    if (existsSync(CHROMIUM)) browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function report(sweep: string, out?: string): Promise<{ code: number; html: string; file: string }> {
    stdout = '';
    stderr = '';
    const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
    const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
    try {
      const code = await reportCommand(sweep, { db, out });
      const file = /report: (.*)\n/.exec(stderr)?.[1] ?? '';
      return { code, html: readFileSync(file, 'utf8'), file };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }

  /** The section of the page for one plot, by its id. */
  const section = (html: string, id: string): string => {
    const start = html.indexOf(`<figure class="plot" id="plot-${id}">`);
    expect(start).toBeGreaterThanOrEqual(0);
    return html.slice(start, html.indexOf('</figure>', start));
  };
  const count = (text: string, re: RegExp): number => (text.match(re) ?? []).length;

  const openInBrowser = (file: string, screenshot?: string) => {
    if (!browser) throw new Error(`headless Chromium not found at ${CHROMIUM}: run scripts/setup.sh as root (apt-get install chromium) or set CHROMIUM_PATH`);
    return inspectPage(browser, file, screenshot);
  };

  test('a two-parameter sweep: eight plots with marks, a summary, no scripts or remote resources', async () => {
    const out = join(dir, 'nested', 'dir', 'grid.html');
    const { code, html, file } = await report('concurrency-x-batching', out);
    expect(code).toBe(EXIT.ok);
    expect(file).toBe(out);

    for (const id of PLOT_IDS) {
      const s = section(html, id);
      expect(s).toContain('<svg');
      expect(count(s, /<(path|circle|rect|line)\b/g)).toBeGreaterThan(0);
      expect(s).toContain('<figcaption>');
    }
    expect(count(html, /<figure class="plot"/g)).toBe(8);
    // Heatmap: one annotated cell per combination; the failed job's combination has none.
    expect(section(html, 'heatmap')).toContain('>5106.7</text>');
    expect(section(html, 'heatmap')).toContain('workload.concurrency');
    // The SLO shows as a line on the latency plots; the roofline has its ceiling.
    expect(section(html, 'throughput-latency')).toContain('SLO p99 ≤ 2 ms');
    expect(section(html, 'roofline')).toMatch(/best observed: [\d.]+ GFLOP\/s/);
    // The earlier sweep's faster run is on the same model and device's front.
    expect(section(html, 'pareto')).toContain('1 of them from other sweeps');

    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/@import|url\((?!#)/i);

    expect(html).toContain('Best under the SLO:</strong> job 4');
    expect(html).toContain('serve: the server did not become ready within 30 s');

    // Verdicts: the invalid runs marked in the table and listed with their reasons; the run with no successful
    // request listed with its errors; invalid runs hollow in the point plots.
    expect(count(html, /<tr class="invalid">/g)).toBe(2);
    const verdicts = html.slice(html.indexOf('<section class="verdicts"'), html.indexOf('<section class="no-success"'));
    expect(verdicts).toContain('latency grew through the run (p50 0.9 ms → 2.4 ms, p99 2.1 ms → 6.0 ms)');
    expect(verdicts).toContain('all 816 requests failed: HTTP 503: model is not ready');
    expect(html).toContain('HTTP 503: model is not ready <small>(812×)</small>');
    expect(html).toContain('timed out after 10 s <small>(4×)</small>');
    for (const id of ['throughput-latency', 'pareto', 'roofline']) expect(section(html, id)).toContain('○ hollow: invalid run');
    expect(section(html, 'latency-cdf')).toContain('run verdict');
    // The host, with the measured peak that sets the roofline's ceiling beside the observed best.
    expect(html).toContain('Measured on host-1 (bench-box), device cpu');
    expect(html).toContain('<dd>Intel(R) Xeon(R) Platinum 8480+</dd>');
    expect(html).toContain('<dd>61.50 GFLOP/s</dd>');
    expect(section(html, 'roofline')).toContain('measured peak: 61.5 GFLOP/s');
    expect(section(html, 'roofline')).toMatch(/best observed: [\d.]+ GFLOP\/s \(\d+% of peak\)/);
    // The tail on a 1-in-N axis; the server's time split and its batch sizes; a legend entry for the other sweep's front point.
    for (const label of ['50%', '90%', '99%', '99.9%']) expect(section(html, 'latency-percentiles')).toContain(`>${label}<`);
    for (const part of ['queue', 'compute', 'transport']) expect(section(html, 'server-time')).toContain(`>${part}<`);
    expect(section(html, 'server-time')).toContain('>job 3 · 2 · 8<');
    expect(section(html, 'batch-sizes')).toContain('>57%<');
    expect(section(html, 'pareto')).toContain(">sweep 'earlier', job 0<");

    // The Markdown summary on stdout.
    expect(stdout).toContain('# servebench report: concurrency-x-batching');
    expect(stdout).toContain('**Best under SLO:** job 4, concurrency=4, maxBatchSize=1: 5582.7 inferences/s at p99 1.62 ms');
    expect(stdout).toMatch(/\| job \| concurrency \| maxBatchSize \| inf\/s \| p50 ms \| p99 ms \| p99\.9 ms \| errors \| SLO \| verdict \|/);
    expect(count(stdout, /^\| \d/gm)).toBe(7);
    expect(stdout).toContain('- failed: job 7 (concurrency=8, maxBatchSize=8)');
    expect(stdout).toContain('- invalid: job 1 (concurrency=1, maxBatchSize=8): latency grew through the run');
    expect(stdout).toContain('- every request failed: job 6 (concurrency=8, maxBatchSize=1): HTTP 503: model is not ready (812×); timed out after 10 s (4×)');
    expect(stdout).toContain('Host host-1 (bench-box), device cpu: CPU Intel(R) Xeon(R) Platinum 8480+ · cores 8 · memory 32 GiB · GPU none · onnxruntime 1.21.0');
    expect(stdout).toMatch(/\| 1 \| 1 \| 8 \| 598\.7 \| 1\.59 \| 4\.31 \| 6\.03 \| 0 \| missed \| \*\*invalid\*\* \|/);
    expect(stdout).toContain('- job 5 · 4 · 8: 1 (4.4%), 2 (6.6%), 4 (57%), 6 (22%), 8 (9.9%)');
    expect(stdout).toMatch(/Compute: best observed [\d.]+ GFLOP\/s \(\d+% of peak\); measured peak 61\.50 GFLOP\/s/);
    expect(stderr).toBe(`report: ${out}\n`);

    const page = await openInBrowser(file, 'report.png');
    expect(page.errors).toEqual([]);
    expect(page.requests).toEqual([]);
    expect(page.plots).toHaveLength(8);
    for (const p of page.plots) {
      expect(p.width).toBeGreaterThan(100);
      expect(p.height).toBeGreaterThan(100);
      expect(p.marks).toBeGreaterThan(0);
    }
    // What a reader sees: the verdicts, the failed run, the host.
    for (const text of ['Check the verdicts', 'Invalid runs and why', 'Runs in which every request failed', 'Measured on host-1 (bench-box)', 'HTTP 503: model is not ready']) {
      expect(page.text).toContain(text);
    }
  });

  test('a one-parameter sweep replaces the heatmap with a note, and a model without FLOPs the roofline', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    let result;
    try {
      result = await report('one-1');
    } finally {
      process.chdir(cwd);
    }
    expect(result.file).toBe(join(dir, 'report-one-1.html'));
    const heat = section(result.html, 'heatmap');
    expect(heat).not.toContain('<svg');
    expect(heat).toContain('This sweep varies one parameter (workload.concurrency); a heatmap needs two.');
    expect(section(result.html, 'roofline')).toContain('No FLOPs estimate');
    for (const id of ['throughput-latency', 'latency-cdf', 'latency-percentiles', 'pareto']) expect(section(result.html, id)).toContain('<svg');
    // No server statistics in these runs: the server's plots say so instead of drawing nothing.
    expect(section(result.html, 'server-time')).toContain('No server statistics');
    expect(section(result.html, 'batch-sizes')).toContain('No run of this sweep recorded the server’s batch sizes');

    const page = await openInBrowser(result.file, 'report-one-parameter.png');
    expect(page.errors).toEqual([]);
    expect(page.plots).toHaveLength(4);
  });

  test('a sweep over serving systems: a shape per system in the throughput and Pareto plots, and the server-side numbers of each', async () => {
    const { html, file } = await report('systems', join(dir, 'systems.html'));
    for (const id of ['throughput-latency', 'pareto']) {
      const s = section(html, id);
      expect(s).toContain('serving system'); // the shape legend's title
      for (const system of ['builtin', 'triton', 'mlserver']) expect(s).toContain(`>${system}<`);
    }
    const server = html.slice(html.indexOf('<section class="server-side">'));
    // Transport: the client's mean less the server's request time (queue + compute for the built-in server).
    expect(server).toContain('<td class="p">builtin</td><td class="p">0</td><td>15040</td><td>2.00</td><td>1217.9</td><td>68.70</td><td>–</td><td>1320</td><td>33.40</td>');
    expect(server).toContain('<td class="p">mlserver</td><td class="p">2</td><td>9830</td><td>–</td><td>–</td><td>–</td><td>1712.4</td><td>2090</td><td>377.6</td>');
    expect(server).toContain('<td class="p">triton</td><td class="p">1</td><td>9390</td><td>1.80</td><td>1137.6</td><td>1713.8</td><td>2929.4</td><td>3300</td><td>370.6</td>');
    expect(stdout).toContain('| mlserver | 2 | 9830 | – | – | – | 1712.4 | 2090 | 377.6 |');
    // The time split: Triton's queue, compute and the rest of its request time; MLServer's request time unsplit.
    const split = section(html, 'server-time');
    for (const part of ['queue', 'compute', 'other in server', 'in server (not split)', 'transport']) expect(split).toContain(`>${part}<`);

    const page = await openInBrowser(file, 'report-systems.png');
    expect(page.errors).toEqual([]);
    expect(page.requests).toEqual([]);
    expect(page.plots).toHaveLength(6); // one parameter: no heatmap; no batch sizes recorded
    for (const p of page.plots) expect(p.marks).toBeGreaterThan(0);
  });

  test('strings from the database cannot inject HTML: sweep name, parameter keys and values', async () => {
    const { html, file } = await report('evil-1', join(dir, 'evil.html'));
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(count(html, /<\/svg>/g)).toBe(count(html, /<svg/g));
    expect(stdout).toContain('# servebench report: \\<img src=x onerror=alert(1)\\>');
    expect(stdout).toContain('x\\|y');

    const page = await openInBrowser(file);
    expect(page.errors).toEqual([]);
    expect(page.images).toBe(0);
    expect(page.title).toBe(`servebench report: ${HOSTILE}`);
  });

  test('`latest` is the most recently started sweep; an unknown sweep is invalid input', async () => {
    expect((await report('latest', join(dir, 'latest.html'))).html).toContain('concurrency-x-batching');
    const err = await reportCommand('nope', { db, out: join(dir, 'x.html') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err).toMatchObject({ exitCode: EXIT.invalid, message: 'no sweep with id or name "nope" in the results database' });
    const missing = await reportCommand('latest', { db: join(dir, 'none.duckdb') }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ exitCode: EXIT.invalid });
  });
});
