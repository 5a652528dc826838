/**
 * `servebench report` on a sweep of LLM runs recorded through the real recorder into a real DuckDB file: the
 * "LLM serving" section (table, best configuration, Pareto and percentile plots from the stored histograms), in
 * the HTML page opened in headless Chromium and in the Markdown summary. No Temporal: the outcomes are built by hand.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { writeJob, writeSweep } from '../../activities/analysis/record';
import { reportCommand } from '../../cli/commands/report';
import { EXIT } from '../../cli/exit-codes';
import { CHROMIUM, inspectPage, launchBrowser } from '../support/browser';
import { llmOutcome, type LlmRunSpec } from '../support/llm-outcome';

const at = '2026-12-01T20:00:00.000Z';
const LLM_PLOTS = ['llm-pareto', 'llm-ttft-percentiles', 'llm-itl-percentiles'];

async function record(file: string, sweepId: string, specs: Omit<LlmRunSpec, 'sweepId'>[]): Promise<void> {
  const outcomes = specs.map((s) => llmOutcome({ ...s, sweepId }));
  await writeSweep(file, { sweepId, name: sweepId, status: 'completed', jobsTotal: specs.length, jobsDone: specs.length, jobsFailed: 0, config: outcomes[0].job.config, startedAt: at, finishedAt: at });
  for (const o of outcomes) await writeJob(file, o, at);
}

describe('servebench report: LLM serving', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-report-llm-'));
  const db = join(dir, 'results.duckdb');
  let browser: Browser | undefined;
  let stdout = '';
  const slo = '{ ttftMs: 700 }';

  beforeAll(async () => {
    await record(db, 'llm-grid', [
      { index: 0, concurrency: 1, ttftMs: 60, itlMs: 18, outputTokens: 32, requests: 45, slo },
      { index: 1, concurrency: 2, ttftMs: 110, itlMs: 21, outputTokens: 32, requests: 80, slo },
      { index: 2, concurrency: 4, ttftMs: 240, itlMs: 27, outputTokens: 32, requests: 130, slo },
      { index: 3, concurrency: 8, ttftMs: 520, itlMs: 35, outputTokens: 32, requests: 170, slo, truncated: 9, invalid: ['9 of 170 streams were truncated (stream ended without finish_reason)'] },
    ]);
    if (existsSync(CHROMIUM)) browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  test('the LLM section: best configuration, one row per run, notes, and three drawn plots', async () => {
    const out = join(dir, 'llm.html');
    const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
    const e = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let code: number;
    try {
      code = await reportCommand('llm-grid', { db, out });
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
    expect(code).toBe(EXIT.ok);
    const html = readFileSync(out, 'utf8');
    const llm = html.slice(html.indexOf('<section class="llm" id="llm">'));
    expect(llm).toContain('<h2>LLM serving</h2>');
    expect(html).toContain('<div><dt>LLM SLO</dt><dd>TTFT p99 ≤ 700 ms</dd></div>');
    // Job 2 has the highest goodput of the runs meeting TTFT p99 ≤ 700 ms; job 3 is invalid (truncated streams).
    expect(llm).toMatch(/Best LLM configuration:<\/strong> job 2 \(concurrency=4, outputTokens=32\): goodput [\d.]+ req\/s, 416 output tokens\/s at TTFT p99 [\d.]+ ms/);
    for (const h of ['TTFT p50 ms', 'TTFT p99 ms', 'ITL p50 ms', 'TPOT p50 ms', 'E2E p99 ms', 'in tok/s', 'out tok/s', 'goodput req/s', 'truncated', 'LLM SLO']) expect(llm).toContain(`<th>${h}</th>`);
    expect((llm.match(/<tr class="invalid">/g) ?? []).length).toBe(1);
    expect(llm).toContain('<tr class="best">');
    expect(llm).toContain('title="stream ended after 3 of 32 tokens without finish_reason">9</td>');
    expect(llm).toContain('LLM SLO: TTFT p99 ≤ 700 ms');
    expect(llm).toContain('job 3: 9 truncated streams, e.g. stream ended after 3 of 32 tokens without finish_reason.');
    for (const id of LLM_PLOTS) {
      const start = llm.indexOf(`<figure class="plot" id="plot-${id}">`);
      expect(start).toBeGreaterThan(0);
      const fig = llm.slice(start, llm.indexOf('</figure>', start));
      expect(fig).toContain('<svg');
      expect((fig.match(/<(path|circle|rect|line)\b/g) ?? []).length).toBeGreaterThan(0);
    }
    const pareto = llm.slice(llm.indexOf('id="plot-llm-pareto"'), llm.indexOf('</figure>', llm.indexOf('id="plot-llm-pareto"')));
    expect(pareto).toContain('Pareto front');
    expect(pareto).toContain('○ hollow: invalid run');
    expect(pareto).toContain('SLO TTFT p99 ≤ 700 ms');
    for (const label of ['4 · 32', '8 · 32']) expect(pareto).toContain(`>${label}<`);
    const ttft = llm.slice(llm.indexOf('id="plot-llm-ttft-percentiles"'));
    for (const label of ['50%', '90%', '99%']) expect(ttft).toContain(`>${label}<`);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:\/\//);

    // The Markdown summary.
    expect(stdout).toContain('## LLM serving');
    expect(stdout).toMatch(/\*\*Best LLM configuration:\*\* job 2 \(concurrency=4, outputTokens=32\)/);
    expect(stdout).toMatch(/\| job \| concurrency \| outputTokens \| TTFT p50 ms \| TTFT p90 ms \| TTFT p99 ms \| ITL p50 ms \| ITL p99 ms \| TPOT p50 ms \| TPOT p99 ms \| E2E p99 ms \| in tok\/s \| out tok\/s \| req\/s \| goodput req\/s \| truncated \| LLM SLO \| verdict \|/);
    expect(stdout).toMatch(/\| 3 \| 8 \| 32 \|( [\d.]+ \|){10} 17 \| [\d.]+ \| 9 \| missed \| \*\*invalid\*\* \|/);

    if (!browser) throw new Error(`headless Chromium not found at ${CHROMIUM}: run scripts/setup.sh as root (apt-get install chromium) or set CHROMIUM_PATH`);
    const page = await inspectPage(browser, out, 'report-llm.png');
    expect(page.errors).toEqual([]);
    expect(page.requests).toEqual([]);
    // One parameter swept besides a constant one: the heatmap has a note; the roofline too (no FLOPs for a GGUF model).
    expect(page.plots.length).toBeGreaterThanOrEqual(7);
    for (const p of page.plots) {
      expect(p.width).toBeGreaterThan(100);
      expect(p.height).toBeGreaterThan(100);
      expect(p.marks).toBeGreaterThan(0);
    }
    for (const text of ['LLM serving', 'Best LLM configuration', 'LLM: output tokens/s vs TTFT p99', 'LLM: time to first token by percentile', 'LLM: inter-token latency by percentile']) {
      expect(page.text).toContain(text);
    }
  });
});
