/**
 * The report of a real sweep: real workers on the test Temporal server, a real model served by the built-in
 * server with dynamic batching, real HTTP load, the rows the record activity writes, and the page opened in
 * headless Chromium. One job is made to fail every request on purpose (a 1 ms request timeout against a model
 * whose every request needs far longer: ~0.5 GFLOP and a 32k-number JSON body), so the report must list it with
 * its error and mark it invalid. The compute-peak probe runs from dist/: `npm run build` first.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { query } from '../../analysis/db';
import { reportCommand } from '../../cli/commands/report';
import { EXIT } from '../../cli/exit-codes';
import { LEADER_QUEUE } from '../../workflows/queues';
import type { sweepWorkflow } from '../../workflows/sweep';
import { inspectPage, launchBrowser } from '../support/browser';
import { useTestCluster } from '../support/workers';

const CONFIG = `
name: report-real
model:
  generate: { family: mlp, layers: 4, hidden: 2048, inputShape: [2048], dtype: float32, seed: 5 }
serving:
  instances: 1
  intraOpThreads: 1
  batching: { maxBatchSize: 64, maxQueueDelayMs: 2 }
workload:
  mode: constant
  rate: 20
  batchSize: 16
  warmup: 300ms
  duration: 1500ms
slo: { p99Ms: 5000 }
sweep:
  workload.requestTimeout: [10s, 1ms]
`;

describe('servebench report on a real sweep', () => {
  const cluster = useTestCluster();

  test('shows each run’s verdict, the run whose every request failed, the host and its measured peak, and the server’s side', async () => {
    const result = await cluster.client.workflow.execute<typeof sweepWorkflow>('sweepWorkflow', {
      taskQueue: LEADER_QUEUE,
      workflowId: 'report-real-sweep',
      args: [{ configYaml: CONFIG, configFile: 'report-real.yaml' }],
    });
    expect(result.jobs.map((j) => j.status)).toEqual(['completed', 'completed']);

    // The probe's peak is recorded with the host, with how it was measured.
    const hosts = await query(cluster.resultsFile, `SELECT host->>'$.cpuModel' AS cpu, CAST(host->>'$.peakGflops' AS DOUBLE) AS peak, host->>'$.peakMethod' AS method FROM jobs ORDER BY job_index`);
    for (const h of hosts.rows) {
      expect(h.cpu).toBe(cpus()[0].model);
      expect(h.peak as number).toBeGreaterThan(0);
      expect(h.method).toMatch(/^onnxruntime MatMul 512×512 float32 on \d+ threads?: best of \d+ runs in 300 ms, (pinned to|unpinned)/);
    }
    // Measured once per process and device: both jobs carry the same number.
    expect(hosts.rows[0].peak).toBe(hosts.rows[1].peak);
    const runs = await query(cluster.resultsFile, `SELECT ok, errors, valid FROM runs ORDER BY run_id`);
    expect(runs.rows[1]).toMatchObject({ ok: 0, valid: false });
    expect(runs.rows[1].errors as number).toBeGreaterThan(0);

    const out = join(cluster.home, 'report.html');
    let stdout = '';
    const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
    const e = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await reportCommand('report-real', { db: cluster.resultsFile, out })).toBe(EXIT.ok);
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
    const html = readFileSync(out, 'utf8');

    // The failed run: marked invalid in the table, listed with its error, and said in the Markdown too.
    expect(html).toContain('<tr class="invalid">');
    const noSuccess = html.slice(html.indexOf('<section class="no-success">'));
    expect(noSuccess).toMatch(/job 1 <code>requestTimeout=1<\/code>: \d+ requests?, none succeeded<ul class="reasons"><li>timed out after 1 ms <small>\(\d+×\)<\/small>/);
    expect(stdout).toMatch(/- every request failed: job 1 \(requestTimeout=1\): timed out after 1 ms \(\d+×\)/);
    expect(stdout).toMatch(/- invalid: job 1 \(requestTimeout=1\): all \d+ requests? timed out after 1 ms/);

    // The host as recorded, and the roofline's ceiling from its measured peak beside the observed best.
    expect(html).toContain(`<dd>${cpus()[0].model.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</dd>`);
    expect(html).toContain(`<dt>cores</dt><dd>${cpus().length}</dd>`);
    expect(html).toMatch(/<dt>onnxruntime<\/dt><dd>\d+\.\d+\.\d+<\/dd>/);
    expect(html).toContain('<dt>provider</dt><dd>cpu</dd>');
    expect(html).toMatch(/<dt>measured peak<\/dt><dd>[\d.]+ GFLOP\/s<\/dd>/);
    const roofline = html.slice(html.indexOf('id="plot-roofline"'), html.indexOf('</figure>', html.indexOf('id="plot-roofline"')));
    expect(roofline).toMatch(/measured peak: [\d.]+ [GT]FLOP\/s/);
    expect(roofline).toMatch(/best observed: [\d.]+ [MGT]FLOP\/s \(\d+% of peak\)/);

    // The valid-timeout run's server side: queue and compute from the built-in server, transport beside them,
    // and the batch sizes it ran (at least the request's 16 rows).
    const figure = (id: string): string => html.slice(html.indexOf(`id="plot-${id}"`), html.indexOf('</figure>', html.indexOf(`id="plot-${id}"`)));
    for (const part of ['queue', 'compute', 'transport']) expect(figure('server-time')).toContain(`>${part}<`);
    expect(figure('batch-sizes')).toContain('>16<');
    for (const label of ['50%', '90%', '99%']) expect(figure('latency-percentiles')).toContain(`>${label}<`);

    const browser = await launchBrowser();
    try {
      const page = await inspectPage(browser, out, 'report-real-sweep.png');
      expect(page.errors).toEqual([]);
      expect(page.requests).toEqual([]);
      // One swept parameter: no heatmap; every other plot drawn.
      expect(page.plots).toHaveLength(7);
      for (const p of page.plots) expect(p.marks).toBeGreaterThan(0);
      for (const text of ['Check the verdicts', 'Invalid runs and why', 'Runs in which every request failed', 'Measured on testnode', 'timed out after 1 ms']) {
        expect(page.text).toContain(text);
      }
    } finally {
      await browser.close();
    }
  });
});
