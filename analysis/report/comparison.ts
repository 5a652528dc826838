/** The report's comparison section (`report SWEEP --compare BASELINE`): the page's sweep as B against the baseline A. */
import type { Comparison, JobComparison, Judgement } from '../compare/compare';
import { changeWithInterval, comparedKeys, confidenceText, footnotes, headline, jobLabel, metricLabel, valueWithInterval, VERDICT_RULE, verdictText } from '../compare/text';
import { escapeHtml } from './html';

// The page's own classes: green for better, red for worse.
const verdictClass = (j: JobComparison): string => (j.verdict === 'slower' ? 'missed' : j.verdict === 'faster' ? 'met' : '');
const judgementClass = (m: Judgement): string => (m === 'worse' ? 'missed' : m === 'better' ? 'met' : '');
const td = (text: string, cls = ''): string => `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</td>`;

export function renderComparisonSection(c: Comparison): string {
  const keys = comparedKeys(c);
  const conf = confidenceText(c);
  const rows = c.matched.flatMap((j) => {
    const span = Math.max(1, j.metrics.length);
    const first = `<td class="p" rowspan="${span}">${escapeHtml(jobLabel(j.params, keys))}</td><td class="p ${verdictClass(j)}" rowspan="${span}">${escapeHtml(verdictText(j))}</td>`;
    if (!j.metrics.length) return [`<tr>${first}${td('–')}${td('–')}${td('–')}${td('–')}${td('–')}</tr>`];
    return j.metrics.map(
      (m, i) =>
        `<tr>${i === 0 ? first : ''}${td(metricLabel(m))}${td(valueWithInterval(m.a))}${td(valueWithInterval(m.b))}${td(changeWithInterval(m.change))}${td(m.judgement, judgementClass(m.judgement))}</tr>`,
    );
  });
  const table = rows.length
    ? `<div class="table-wrap"><table>
<thead><tr><th class="p">configuration</th><th class="p">verdict</th><th>metric</th><th>baseline A [${conf} CI]</th><th>this sweep B [${conf} CI]</th><th>change [${conf} CI]</th><th>judged</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></div>`
    : '<p class="note">No job of this sweep has the parameters of a job of the baseline: nothing to compare.</p>';
  const notes = footnotes(c);
  return `<section class="comparison" id="comparison" style="margin-top: 22px"><h2>Compared with baseline ${escapeHtml(c.a.name)} <code>${escapeHtml(c.a.sweepId)}</code></h2>
<p class="sub">${escapeHtml(headline(c))} ${escapeHtml(VERDICT_RULE)}</p>
${table}
${notes.length ? `<ul>${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}</ul>` : ''}
</section>`;
}
