/**
 * The report page: one HTML file with inline CSS and inline SVG plots, no scripts and no external resources,
 * so it opens anywhere offline. Every string from the database goes through escapeHtml.
 */
import { systemColumn, type ReportData, type RunInfo } from './data';
import { configLabel, formatNumber, formatTime, formatValue, shortKeys } from './format';
import type { Plot } from './plots';
import { hostFacts, hostName } from './host-text';
import { SERVER_SIDE_HEAD, serverSideCells, serverSideRows } from './server-side';
import { errorSummary, invalidRuns, runsWithoutSuccess, verdictWord } from './verdicts';

export interface RenderedPlot {
  plot: Plot;
  /** The plot's SVG (trusted: Vega escapes the text it draws); absent when the plot has a note instead. */
  svg?: string;
}

export function escapeHtml(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
:root { --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --card: #fff; --bg: #f4f6f8; --ok: #1a7f37; --bad: #cf222e; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 28px 24px 48px; }
h1 { font-size: 26px; margin: 0 0 2px; overflow-wrap: anywhere; }
h2 { font-size: 17px; margin: 0 0 10px; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #eaeef2; padding: 1px 5px; border-radius: 4px; overflow-wrap: anywhere; }
.sub { color: var(--muted); margin: 0 0 18px; }
.facts { display: flex; flex-wrap: wrap; gap: 10px; margin: 0 0 18px; padding: 0; }
.facts div { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 120px; }
.facts dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.facts dd { margin: 0; font-size: 18px; font-weight: 600; overflow-wrap: anywhere; }
.callout { border-left: 5px solid var(--ok); background: #dafbe1; padding: 12px 16px; border-radius: 6px; margin: 0 0 22px; }
.callout.none { border-color: #bf8700; background: #fff8c5; }
.callout strong { font-size: 16px; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 18px; margin-bottom: 26px; align-items: start; }
figure.plot { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; min-width: 0; }
figure.plot svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 10px; }
.note { background: var(--bg); border: 1px dashed var(--line); border-radius: 8px; padding: 28px 18px; color: var(--muted); text-align: center; }
.table-wrap { overflow-x: auto; background: var(--card); border: 1px solid var(--line); border-radius: 10px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { padding: 7px 12px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th { background: #f6f8fa; font-weight: 600; position: sticky; top: 0; }
th.p, td.p { text-align: left; }
tr:last-child td { border-bottom: none; }
tr.best td { background: #dafbe1; }
tr.invalid td { background: #fff1f0; color: var(--muted); }
tr.invalid td:first-child { box-shadow: inset 4px 0 0 var(--bad); }
.verdict-valid { color: var(--ok); font-weight: 600; }
.verdict-invalid { color: #fff; background: var(--bad); font-weight: 600; padding: 1px 7px; border-radius: 10px; font-size: 12px; }
.callout.bad { border-color: var(--bad); background: #ffebe9; }
section.host { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; margin: 0 0 18px; }
section.host h2 { font-size: 14px; margin: 0 0 6px; }
section.host dl { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 4px 18px; margin: 0; font-size: 13.5px; }
section.host dt { color: var(--muted); font-size: 12px; }
section.host dd { margin: 0; overflow-wrap: anywhere; }
section.host p { margin: 8px 0 0; font-size: 12.5px; color: var(--muted); }
ul.reasons { margin: 4px 0 0; padding-left: 20px; }
.met { color: var(--ok); font-weight: 600; }
.missed { color: var(--bad); font-weight: 600; }
section.failed, section.server-side, section.verdicts, section.no-success, section.llm { margin-top: 22px; }
section.llm .plots { margin: 14px 0 0; }
ul.notes { margin: 8px 0 0; padding-left: 20px; color: var(--muted); font-size: 13px; }
section.verdicts li, section.no-success li { margin-bottom: 6px; }
footer { margin-top: 30px; color: var(--muted); font-size: 12.5px; }
`;

const fact = (label: string, value: string): string => `<div><dt>${escapeHtml(label)}</dt><dd>${value}</dd></div>`;

function header(data: ReportData): string {
  const s = data.sweep;
  const models = [...new Set(data.runs.map((r) => r.modelName ?? 'unnamed model'))];
  const devices = [...new Set(data.runs.map((r) => r.device))];
  const llmSlos = [...new Set((data.llm?.runs ?? []).map((r) => r.slo).filter((t): t is string => t !== null))];
  const when = [s.startedAt && `started ${formatTime(s.startedAt)}`, s.finishedAt && `finished ${formatTime(s.finishedAt)}`].filter(Boolean).join(' · ');
  return `<header>
<h1>${escapeHtml(s.name)}</h1>
<p class="sub">sweep <code>${escapeHtml(s.sweepId)}</code> · ${escapeHtml(s.status)}${when ? ` · ${escapeHtml(when)}` : ''}</p>
<dl class="facts">
${fact('jobs done', `${s.jobsDone} / ${s.jobsTotal}`)}
${fact('failed', String(s.jobsFailed))}
${fact('runs', String(data.runs.length))}
${fact('valid runs', validCount(data))}
${fact('p99 SLO', s.sloP99Ms === null ? 'none' : `${escapeHtml(formatNumber(s.sloP99Ms))} ms`)}
${llmSlos.length ? fact('LLM SLO', llmSlos.map(escapeHtml).join('; ')) : ''}
${fact(models.length === 1 ? 'model' : 'models', models.map(escapeHtml).join(', ') || '–')}
${fact(devices.length === 1 ? 'device' : 'devices', devices.map(escapeHtml).join(', ') || '–')}
</dl>
</header>`;
}

/** "5 / 6", or "–" when no run has a verdict (recorded before run rules existed). */
function validCount(data: ReportData): string {
  const judged = data.runs.filter((r) => r.valid !== null);
  if (!judged.length) return '–';
  const valid = judged.filter((r) => r.valid).length;
  return valid < judged.length ? `<span class="missed">${valid} / ${judged.length}</span>` : `${valid} / ${judged.length}`;
}

const jobName = (r: RunInfo): string => `job ${r.jobIndex}${r.repeatIndex ? ` r${r.repeatIndex}` : ''}`;

function hosts(data: ReportData): string {
  if (!data.hosts.length) return '';
  return data.hosts
    .map((h) => {
      const facts = hostFacts(h).map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`);
      const runs = data.hosts.length > 1 ? ` · ${h.runIds.length} run${h.runIds.length === 1 ? '' : 's'}` : '';
      const method = h.peakMethod ? `<p>Peak: ${escapeHtml(h.peakMethod)}.</p>` : '';
      return `<section class="host"><h2>Measured on ${escapeHtml(hostName(h))}${runs}</h2><dl>${facts.join('')}</dl>${method}</section>`;
    })
    .join('\n');
}

/** A warning above the plots when runs are invalid or had no successful request: their numbers are not the model's. */
function verdictCallout(data: ReportData): string {
  const invalid = invalidRuns(data).length;
  const none = runsWithoutSuccess(data).length;
  if (!invalid && !none) return '';
  const parts = [
    invalid ? `${invalid} of ${data.runs.length} runs are <strong>invalid</strong> (marked in the table; hollow points and dashed lines in the plots)` : '',
    none ? `${none} had no successful request (listed below with their errors; they have no latency to plot)` : '',
  ].filter(Boolean);
  return `<section class="callout bad"><strong>Check the verdicts:</strong> ${parts.join('; ')}: see the verdicts below the table.</section>`;
}

function bestCallout(data: ReportData): string {
  const b = data.best;
  if (b) {
    const repeats = b.repeats > 1 ? `, worst of ${b.repeats} repeats` : '';
    return `<section class="callout"><strong>Best under the SLO:</strong> job ${b.jobIndex} — <code>${escapeHtml(configLabel(b.params, data.paramKeys))}</code>:
${escapeHtml(formatNumber(b.meanInferencesPerS))} inferences/s at p99 ${escapeHtml(formatNumber(b.worstP99Ms))} ms${repeats}.</section>`;
  }
  const why = data.sweep.sloP99Ms === null ? 'This sweep set no SLO (slo.p99Ms), so no configuration is best under one.' : 'No configuration met the SLO on every repeat without errors.';
  return `<section class="callout none"><strong>Best under the SLO:</strong> none. ${escapeHtml(why)}</section>`;
}

export function figure({ plot, svg }: RenderedPlot): string {
  const body = svg ? svg.replace('<svg', `<svg role="img" aria-label="${escapeHtml(plot.title)}"`) : `<p class="note">${escapeHtml(plot.note ?? 'Nothing to plot.')}</p>`;
  const caption = plot.caption ? `<figcaption>${escapeHtml(plot.caption)}</figcaption>` : '';
  return `<figure class="plot" id="plot-${escapeHtml(plot.id)}">
<h2>${escapeHtml(plot.title)}</h2>
${body}
${caption}
</figure>`;
}

function runsTable(data: ReportData): string {
  const short = shortKeys(data.paramKeys);
  const hasCost = data.runs.some((r) => r.costPerMillion !== null);
  const hasEnergy = data.runs.some((r) => r.joulesPerInference !== null);
  const slo = (r: RunInfo): string => (r.meetsSlo === null ? '–' : r.meetsSlo ? '<span class="met">met</span>' : '<span class="missed">missed</span>');
  const system = systemColumn(data);
  const head = [
    '<th class="p">job</th>',
    system ? '<th class="p">system</th>' : '',
    ...data.paramKeys.map((k) => `<th class="p" title="${escapeHtml(k)}">${escapeHtml(short.get(k))}</th>`),
    '<th>inferences/s</th><th>req/s</th><th>p50 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>errors</th><th>SLO</th><th class="p">verdict</th>',
    hasCost ? '<th>$ / 1M inf.</th>' : '',
    hasEnergy ? '<th>J / inf.</th>' : '',
  ].join('');
  const best = data.best?.jobIndex;
  const rows = data.runs.map((r) => {
    const cells = [
      `<td class="p">${r.jobIndex}${r.repeatIndex ? `<small> r${r.repeatIndex}</small>` : ''}</td>`,
      system ? `<td class="p">${escapeHtml(r.system ?? 'unknown')}</td>` : '',
      ...data.paramKeys.map((k) => `<td class="p">${escapeHtml(formatValue(r.params[k]))}</td>`),
      ...[r.inferencesPerS, r.throughput, r.p50Ms, r.p99Ms, r.p999Ms, r.errors].map((n) => `<td>${escapeHtml(formatNumber(n))}</td>`),
      `<td>${slo(r)}</td>`,
      `<td class="p">${verdictCell(r)}</td>`,
      hasCost ? `<td>${escapeHtml(formatNumber(r.costPerMillion))}</td>` : '',
      hasEnergy ? `<td>${escapeHtml(formatNumber(r.joulesPerInference))}</td>` : '',
    ];
    const cls = r.valid === false ? 'invalid' : r.jobIndex === best ? 'best' : '';
    return `<tr${cls ? ` class="${cls}"` : ''}>${cells.join('')}</tr>`;
  });
  const empty = data.runs.length ? '' : `<tr><td class="p" colspan="${data.paramKeys.length + 9 + (system ? 1 : 0)}">No completed runs.</td></tr>`;
  return `<section><h2>Runs</h2><div class="table-wrap"><table>
<thead><tr>${head}</tr></thead>
<tbody>
${rows.join('\n')}${empty}
</tbody></table></div></section>`;
}

/** The verdict in the runs table: the first reason stays readable in the title on hover, all of them are listed below. */
export function verdictCell(r: RunInfo): string {
  const word = verdictWord(r);
  if (r.valid === false) return `<span class="verdict-invalid" title="${escapeHtml(r.invalidReasons.join('; '))}">invalid</span>`;
  return r.valid ? `<span class="verdict-valid">valid</span>` : word;
}

function verdicts(data: ReportData): string {
  const invalid = invalidRuns(data);
  if (!invalid.length) return '';
  const items = invalid.map((r) => {
    const config = data.paramKeys.length ? ` <code>${escapeHtml(configLabel(r.params, data.paramKeys))}</code>` : '';
    const reasons = r.invalidReasons.length ? r.invalidReasons : ['no reason recorded'];
    return `<li>${escapeHtml(jobName(r))}${config}<ul class="reasons">${reasons.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul></li>`;
  });
  return `<section class="verdicts" id="verdicts"><h2>Invalid runs and why</h2>
<p class="sub">The run rules (minimum duration and queries, offered vs achieved load, stable latency, a load generator with room to spare, no errors) did not hold for these runs: their numbers describe something else than the served model, and they neither set the Pareto front nor count as best under the SLO.</p>
<ul>${items.join('\n')}</ul></section>`;
}

function runsWithoutSuccessSection(data: ReportData): string {
  const runs = runsWithoutSuccess(data);
  if (!runs.length) return '';
  const items = runs.map((r) => {
    const config = data.paramKeys.length ? ` <code>${escapeHtml(configLabel(r.params, data.paramKeys))}</code>` : '';
    const errors = errorSummary(r).map((e) => `<li>${escapeHtml(e.message)}${e.count === null ? '' : ` <small>(${e.count}×)</small>`}</li>`);
    return `<li>${escapeHtml(jobName(r))}${config}: ${r.requests} request${r.requests === 1 ? '' : 's'}, none succeeded<ul class="reasons">${errors.join('')}</ul></li>`;
  });
  return `<section class="no-success"><h2>Runs in which every request failed</h2>
<p class="sub">These runs completed but no request succeeded, so they have no latency and appear in no latency plot.</p>
<ul>${items.join('\n')}</ul></section>`;
}

function serverSide(data: ReportData): string {
  const rows = serverSideRows(data);
  if (!rows.length) return '';
  const head = ['<th class="p">system</th><th class="p">job</th>', ...SERVER_SIDE_HEAD.map((h) => `<th>${escapeHtml(h)}</th>`)].join('');
  const body = rows.map(
    (r) =>
      `<tr><td class="p">${escapeHtml(r.system)}</td><td class="p">${r.jobIndex}${r.repeatIndex ? `<small> r${r.repeatIndex}</small>` : ''}</td>${serverSideCells(r)
        .map((c) => `<td>${escapeHtml(c)}</td>`)
        .join('')}</tr>`,
  );
  return `<section class="server-side"><h2>Server-side, per system</h2><div class="table-wrap"><table>
<thead><tr>${head}</tr></thead>
<tbody>
${body.join('\n')}
</tbody></table></div>
<p class="sub">What each server reported for the measured window (means per request), beside the client’s mean latency; transport is the client’s mean less the server’s time (its request time, or queue + compute for the built-in server, which reports no request time). “–”: the system does not give that number (MLServer: no rows, model runs, queue or compute time; the built-in server: no request time).</p></section>`;
}

function failedJobs(data: ReportData): string {
  if (!data.failedJobs.length) return '';
  const items = data.failedJobs.map(
    (j) =>
      `<li>job ${j.jobIndex}${j.repeatIndex ? ` r${j.repeatIndex}` : ''}${data.paramKeys.length ? ` <code>${escapeHtml(configLabel(j.params, data.paramKeys))}</code>` : ''}: ${escapeHtml(j.error ?? 'failed')}</li>`,
  );
  return `<section class="failed"><h2>Failed jobs</h2><ul>${items.join('\n')}</ul></section>`;
}

/** `sections`: further sections (already HTML, escaped by their maker), placed after the runs, e.g. a comparison. */
export function renderHtml(data: ReportData, plots: RenderedPlot[], generatedAt: string, sections: string[] = []): string {
  // Drawn plots first and notes after, so a note never sits beside a tall plot as a mostly empty card.
  const ordered = [...plots.filter((p) => p.svg), ...plots.filter((p) => !p.svg)];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>servebench report: ${escapeHtml(data.sweep.name)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${header(data)}
${hosts(data)}
${verdictCallout(data)}
${bestCallout(data)}
<section class="plots">
${ordered.map(figure).join('\n')}
</section>
${runsTable(data)}
${verdicts(data)}
${runsWithoutSuccessSection(data)}
${sections.join('\n')}
${serverSide(data)}
${failedJobs(data)}
<footer>Generated by servebench at ${escapeHtml(formatTime(generatedAt))} from the results database. Static page: no scripts, no network.</footer>
</main>
</body>
</html>
`;
}
