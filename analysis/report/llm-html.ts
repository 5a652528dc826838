/** The "LLM serving" section of the report page (escaped here, like the rest of html.ts). */
import type { ReportData } from './data';
import { formatValue, shortKeys } from './format';
import { escapeHtml, figure, verdictCell, type RenderedPlot } from './html';
import { llmBestText, llmNotes, llmRows, llmTableCells, llmTableColumns } from './llm-section';

/** '' when the sweep has no LLM run. */
export function llmSectionHtml(data: ReportData, plots: RenderedPlot[]): string {
  const rows = llmRows(data);
  if (!rows.length) return '';
  const short = shortKeys(data.paramKeys);
  const best = llmBestText(data);
  const bestRun = data.llm?.best?.jobIndex;
  const head = [
    '<th class="p">job</th>',
    ...data.paramKeys.map((k) => `<th class="p" title="${escapeHtml(k)}">${escapeHtml(short.get(k))}</th>`),
    ...llmTableColumns(rows).map((c) => `<th>${escapeHtml(c)}</th>`),
    '<th class="p">verdict</th>',
  ].join('');
  const body = rows.map((r) => {
    const cells = llmTableCells(rows, r);
    const truncated = cells.length - 2;
    const tds = cells.map((c, i) => {
      const title = i === truncated && r.llm.truncatedSample ? ` title="${escapeHtml(r.llm.truncatedSample)}"` : '';
      const text = i === cells.length - 1 && c !== '–' ? `<span class="${c === 'met' ? 'met' : 'missed'}">${c}</span>` : escapeHtml(c);
      return `<td${title}>${text}</td>`;
    });
    const cls = r.run.valid === false ? 'invalid' : r.run.jobIndex === bestRun ? 'best' : '';
    return `<tr${cls ? ` class="${cls}"` : ''}><td class="p">${r.run.jobIndex}${r.run.repeatIndex ? `<small> r${r.run.repeatIndex}</small>` : ''}</td>${data.paramKeys
      .map((k) => `<td class="p">${escapeHtml(formatValue(r.run.params[k]))}</td>`)
      .join('')}${tds.join('')}<td class="p">${verdictCell(r.run)}</td></tr>`;
  });
  const notes = llmNotes(data, rows);
  return `<section class="llm" id="llm"><h2>LLM serving</h2>
<section class="callout${best.found ? '' : ' none'}"><strong>Best LLM configuration:</strong> ${escapeHtml(best.found ? best.text : `none: ${best.text}`)}</section>
<div class="table-wrap"><table>
<thead><tr>${head}</tr></thead>
<tbody>
${body.join('\n')}
</tbody></table></div>
${notes.length ? `<ul class="notes">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
<p class="sub">TTFT: first token − scheduled send (open loop) or send (closed loop). ITL: every gap between streamed chunks, pooled. TPOT: (E2E − TTFT) / (output tokens − 1) per request. Tokens per second over the measured window; goodput: requests per second meeting every LLM objective. The README’s “LLM serving metrics” defines each.</p>
<div class="plots">
${plots.map(figure).join('\n')}
</div>
</section>`;
}
