/**
 * The report page: one HTML file with inline CSS and inline SVG plots, no scripts and no external resources,
 * so it opens anywhere offline. Every string from the database goes through escapeHtml.
 */
import { systemColumn, type ReportData, type RunInfo } from './data';
import { configLabel, formatNumber, formatTime, formatValue, shortKeys } from './format';
import type { Plot } from './plots';
import { SERVER_SIDE_HEAD, serverSideCells, serverSideRows } from './server-side';

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
.met { color: var(--ok); font-weight: 600; }
.missed { color: var(--bad); font-weight: 600; }
section.failed, section.server-side { margin-top: 22px; }
footer { margin-top: 30px; color: var(--muted); font-size: 12.5px; }
`;

const fact = (label: string, value: string): string => `<div><dt>${escapeHtml(label)}</dt><dd>${value}</dd></div>`;

function header(data: ReportData): string {
  const s = data.sweep;
  const models = [...new Set(data.runs.map((r) => r.modelName ?? 'unnamed model'))];
  const devices = [...new Set(data.runs.map((r) => r.device))];
  const when = [s.startedAt && `started ${formatTime(s.startedAt)}`, s.finishedAt && `finished ${formatTime(s.finishedAt)}`].filter(Boolean).join(' · ');
  return `<header>
<h1>${escapeHtml(s.name)}</h1>
<p class="sub">sweep <code>${escapeHtml(s.sweepId)}</code> · ${escapeHtml(s.status)}${when ? ` · ${escapeHtml(when)}` : ''}</p>
<dl class="facts">
${fact('jobs done', `${s.jobsDone} / ${s.jobsTotal}`)}
${fact('failed', String(s.jobsFailed))}
${fact('runs', String(data.runs.length))}
${fact('p99 SLO', s.sloP99Ms === null ? 'none' : `${escapeHtml(formatNumber(s.sloP99Ms))} ms`)}
${fact(models.length === 1 ? 'model' : 'models', models.map(escapeHtml).join(', ') || '–')}
${fact(devices.length === 1 ? 'device' : 'devices', devices.map(escapeHtml).join(', ') || '–')}
</dl>
</header>`;
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

function figure({ plot, svg }: RenderedPlot): string {
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
    '<th>inferences/s</th><th>req/s</th><th>p50 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>errors</th><th>SLO</th>',
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
      hasCost ? `<td>${escapeHtml(formatNumber(r.costPerMillion))}</td>` : '',
      hasEnergy ? `<td>${escapeHtml(formatNumber(r.joulesPerInference))}</td>` : '',
    ];
    return `<tr${r.jobIndex === best ? ' class="best"' : ''}>${cells.join('')}</tr>`;
  });
  const empty = data.runs.length ? '' : `<tr><td class="p" colspan="${data.paramKeys.length + 8 + (system ? 1 : 0)}">No completed runs.</td></tr>`;
  return `<section><h2>Runs</h2><div class="table-wrap"><table>
<thead><tr>${head}</tr></thead>
<tbody>
${rows.join('\n')}${empty}
</tbody></table></div></section>`;
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
<p class="sub">What each server reported for the measured window (means per request). “–”: the system does not give that number (MLServer: no rows, model runs, queue or compute time; the built-in server: no request time).</p></section>`;
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
${bestCallout(data)}
<section class="plots">
${ordered.map(figure).join('\n')}
</section>
${runsTable(data)}
${sections.join('\n')}
${serverSide(data)}
${failedJobs(data)}
<footer>Generated by servebench at ${escapeHtml(formatTime(generatedAt))} from the results database. Static page: no scripts, no network.</footer>
</main>
</body>
</html>
`;
}
