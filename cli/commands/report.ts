/** `servebench report SWEEP`: a self-contained HTML report with plots, and a Markdown summary on stdout. */
import { isMissingDatabase } from '../../analysis/db';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadComparison } from '../../analysis/compare/load';
import { renderComparisonMarkdown } from '../../analysis/compare/markdown';
import type { Comparison } from '../../analysis/compare/compare';
import { loadReport, renderReport } from '../../analysis/report/build';
import { renderComparisonSection } from '../../analysis/report/comparison';
import { ConfigError } from '../../configs/errors';
import { renderMarkdown } from '../../analysis/report/markdown';
import { UnknownSweepError } from '../../analysis/sweeps';
import { resultsFile } from '../../workers/paths';
import { CliError, EXIT } from '../exit-codes';

export interface ReportOptions {
  out?: string;
  db?: string;
  /** A baseline sweep: the page then compares its sweep (as B) against it (as A). */
  compare?: string;
}

/** A file name from a sweep id, which is a workflow id and may hold characters a file name should not. */
export const defaultReportName = (sweepId: string): string => `report-${sweepId.replace(/[^A-Za-z0-9._-]/g, '_')}.html`;

export async function reportCommand(sweep: string, opts: ReportOptions): Promise<number> {
  const file = opts.db ?? resultsFile();
  let data;
  try {
    data = await loadReport(file, sweep);
  } catch (err) {
    // An unknown sweep or a missing results file is bad input: nothing to report on.
    if (err instanceof UnknownSweepError || isMissingDatabase(err)) throw new CliError((err as Error).message, EXIT.invalid);
    const msg = (err as Error).message;
    // Tables and views are created if missing but never altered, so a file from an older servebench lacks them.
    const hint = /Catalog Error|Binder Error/.test(msg) ? ' (the file predates this version of the results schema; record the sweep again into a new results file)' : '';
    throw new CliError(`report failed on ${file}: ${msg.split('\n')[0]}${hint}`, EXIT.failed);
  }
  let comparison: Comparison | null = null;
  if (opts.compare !== undefined) {
    try {
      comparison = await loadComparison(file, opts.compare, data.sweep.sweepId);
    } catch (err) {
      if (err instanceof UnknownSweepError || err instanceof ConfigError) throw new CliError(`--compare: ${(err as Error).message}`, EXIT.invalid);
      throw new CliError(`report --compare failed on ${file}: ${(err as Error).message.split('\n')[0]}`, EXIT.failed);
    }
  }
  const out = resolve(opts.out ?? defaultReportName(data.sweep.sweepId));
  const { html } = await renderReport(data, undefined, comparison ? [renderComparisonSection(comparison)] : []);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, html);
  process.stdout.write(renderMarkdown(data) + '\n' + (comparison ? '\n' + renderComparisonMarkdown(comparison) : ''));
  process.stderr.write(`report: ${out}\n`);
  return EXIT.ok;
}
