/**
 * Which runs the report must flag: invalid ones (the run rules' verdict, with its reasons) and those in which no
 * request succeeded, which have no latency to plot and would otherwise vanish from every chart.
 */
import type { ReportData, RunInfo } from './data';

export const invalidRuns = (data: ReportData): RunInfo[] => data.runs.filter((r) => r.valid === false);

/** Runs without a single successful request in the measured window. */
export const runsWithoutSuccess = (data: ReportData): RunInfo[] => data.runs.filter((r) => r.ok === 0);

/** The errors of a run, most frequent first: counted where recorded, else the samples, else what is known. */
export function errorSummary(r: RunInfo): { message: string; count: number | null }[] {
  if (r.errorCounts.length) return r.errorCounts.map((e) => ({ message: e.message, count: e.count }));
  if (r.errorSamples.length) return r.errorSamples.map((message) => ({ message, count: null }));
  if (r.errors > 0) return [{ message: `${r.errors} failed requests (no message recorded)`, count: null }];
  return [{ message: 'no request completed in the measured window', count: null }];
}

/** "HTTP 500: boom (12×); timed out after 1 ms (3×)". */
export function errorText(r: RunInfo): string {
  return errorSummary(r)
    .map((e) => (e.count === null ? e.message : `${e.message} (${e.count}×)`))
    .join('; ');
}

/** The verdict in a word: valid, invalid, or – for a run recorded before verdicts existed. */
export const verdictWord = (r: RunInfo): string => (r.valid === null ? '–' : r.valid ? 'valid' : 'invalid');
