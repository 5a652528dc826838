/** The report's Markdown summary for the terminal: the sweep, its jobs, the best configuration, one row per run. */
import { systemColumn, type ReportData } from './data';
import { configLabel, formatNumber, formatSi, formatValue, shortKeys } from './format';
import { hostFacts, hostName } from './host-text';
import { SERVER_SIDE_HEAD, serverSideCells, serverSideRows } from './server-side';
import { batchSizeCells } from './plot-server';
import { llmMarkdown } from './llm-section';
import { computeCeilings } from './plots';
import { errorText, invalidRuns, runsWithoutSuccess, verdictWord } from './verdicts';

/**
 * Backslash-escapes the punctuation that would change how Markdown renders text from the database (a sweep
 * name with `<img ...>` or a `|` inside a table cell); ordinary names pass through untouched.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*<>[\]|]/g, '\\$&').replace(/\r?\n/g, ' ');
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderMarkdown(data: ReportData, htmlPath?: string): string {
  const s = data.sweep;
  const out: string[] = [];
  out.push(`# servebench report: ${escapeMarkdown(s.name)}`, '');
  const slo = s.sloP99Ms === null ? 'no SLO' : `p99 SLO ${formatNumber(s.sloP99Ms)} ms`;
  out.push(`Sweep ${escapeMarkdown(s.sweepId)} · ${escapeMarkdown(s.status)} · ${s.jobsDone}/${s.jobsTotal} jobs done, ${s.jobsFailed} failed · ${data.runs.length} runs · ${slo}`, '');

  for (const h of data.hosts) {
    const runs = data.hosts.length > 1 ? ` (${h.runIds.length} runs)` : '';
    out.push(`Host ${escapeMarkdown(hostName(h))}${runs}: ${hostFacts(h).map(([k, v]) => `${k} ${escapeMarkdown(v)}`).join(' · ')}`);
    if (h.peakMethod) out.push(`Peak measured by ${escapeMarkdown(h.peakMethod)}`);
  }
  if (data.hosts.length) out.push('');

  const b = data.best;
  if (b) {
    const repeats = b.repeats > 1 ? ` (worst of ${b.repeats} repeats)` : '';
    out.push(`**Best under SLO:** job ${b.jobIndex}, ${escapeMarkdown(configLabel(b.params, data.paramKeys))}: ${formatNumber(b.meanInferencesPerS)} inferences/s at p99 ${formatNumber(b.worstP99Ms)} ms${repeats}`);
  } else {
    out.push(`**Best under SLO:** none${s.sloP99Ms === null ? ' (no SLO set)' : ' (no configuration met the SLO without errors)'}`);
  }
  out.push('');

  const short = shortKeys(data.paramKeys);
  if (data.runs.length) {
    const system = systemColumn(data);
    const head = ['job', ...(system ? ['system'] : []), ...data.paramKeys.map((k) => escapeMarkdown(short.get(k) ?? k)), 'inf/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'errors', 'SLO', 'verdict'];
    const rows = data.runs.map((r) => [
      r.repeatIndex ? `${r.jobIndex} r${r.repeatIndex}` : String(r.jobIndex),
      ...(system ? [escapeMarkdown(r.system ?? 'unknown')] : []),
      ...data.paramKeys.map((k) => escapeMarkdown(formatValue(r.params[k]))),
      formatNumber(r.inferencesPerS),
      formatNumber(r.p50Ms),
      formatNumber(r.p99Ms),
      formatNumber(r.p999Ms),
      String(r.errors),
      r.meetsSlo === null ? '–' : r.meetsSlo ? 'met' : 'missed',
      r.valid === false ? '**invalid**' : verdictWord(r),
    ]);
    out.push(table(head, rows), '');
  } else {
    out.push('No completed runs.', '');
  }

  const label = (r: (typeof data.runs)[number]): string =>
    `job ${r.jobIndex}${r.repeatIndex ? ` r${r.repeatIndex}` : ''}${data.paramKeys.length ? ` (${escapeMarkdown(configLabel(r.params, data.paramKeys))})` : ''}`;
  const invalid = invalidRuns(data);
  for (const r of invalid) out.push(`- invalid: ${label(r)}: ${escapeMarkdown(r.invalidReasons.join('; ') || 'no reason recorded')}`);
  if (invalid.length) out.push('');
  const none = runsWithoutSuccess(data);
  for (const r of none) out.push(`- every request failed: ${label(r)}: ${escapeMarkdown(errorText(r))}`);
  if (none.length) out.push('');

  out.push(...llmMarkdown(data, escapeMarkdown));

  const server = serverSideRows(data);
  if (server.length) {
    const rows = server.map((r) => [escapeMarkdown(r.system), r.repeatIndex ? `${r.jobIndex} r${r.repeatIndex}` : String(r.jobIndex), ...serverSideCells(r)]);
    out.push('Server-side, per system (– where the system does not give it):', '', table(['system', 'job', ...SERVER_SIDE_HEAD], rows), '');
  }

  const sizes = new Map<string, string[]>();
  for (const c of batchSizeCells(data)) sizes.set(c.run, [...(sizes.get(c.run) ?? []), `${c.size} (${c.label})`]);
  if (sizes.size) {
    out.push('Rows per model run, share of model runs:', '');
    for (const [run, cells] of sizes) out.push(`- ${escapeMarkdown(run)}: ${cells.join(', ')}`);
    out.push('');
  }

  const { bestFlops, peaks } = computeCeilings(data);
  if (bestFlops !== null || peaks.length) {
    const best = bestFlops === null ? 'no valid run' : `${formatSi(bestFlops)}FLOP/s`;
    const peak = peaks.map((p) => `${formatNumber(p.gflops)} GFLOP/s${peaks.length > 1 ? ` (${escapeMarkdown(p.who)})` : ''}`).join(', ');
    const share = bestFlops !== null && peaks.length === 1 ? ` (${Math.round((100 * bestFlops) / (peaks[0].gflops * 1e9))}% of peak)` : '';
    out.push(`Compute: best observed ${best}${share}${peaks.length ? `; measured peak ${peak}` : '; no measured peak'}`, '');
  }

  for (const j of data.failedJobs) {
    const config = data.paramKeys.length ? ` (${escapeMarkdown(configLabel(j.params, data.paramKeys))})` : '';
    out.push(`- failed: job ${j.jobIndex}${j.repeatIndex ? ` r${j.repeatIndex}` : ''}${config}: ${escapeMarkdown(j.error ?? 'failed')}`);
  }
  if (data.failedJobs.length) out.push('');
  if (htmlPath) out.push(`Plots: ${escapeMarkdown(htmlPath)}`, '');
  return out.join('\n');
}
