/** A comparison as Markdown (`compare --markdown`, and appended to `report --compare`'s summary): one row per job and metric. */
import { escapeMarkdown } from '../report/markdown';
import type { Comparison, GateResult } from './compare';
import { changeWithInterval, comparedKeys, confidenceText, footnotes, gatedText, headline, jobLabel, metricLabel, valueWithInterval, VERDICT_RULE, verdictText } from './text';

export function renderComparisonMarkdown(c: Comparison, gate?: GateResult): string {
  const keys = comparedKeys(c);
  const out: string[] = [`## Comparison: ${escapeMarkdown(c.b.name)} against ${escapeMarkdown(c.a.name)}`, '', escapeMarkdown(headline(c)), ''];
  const conf = confidenceText(c);
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const head = ['configuration', 'verdict', 'metric', `A [${conf} CI]`, `B [${conf} CI]`, `change [${conf} CI]`, 'judged'];
  const rows: string[] = [];
  for (const j of c.matched) {
    const label = escapeMarkdown(jobLabel(j.params, keys));
    if (!j.metrics.length) rows.push(line([label, `**${verdictText(j)}**`, '–', '–', '–', '–', '–']));
    j.metrics.forEach((m, i) =>
      rows.push(
        line([
          i === 0 ? label : '',
          i === 0 ? `**${verdictText(j)}**` : '',
          metricLabel(m),
          valueWithInterval(m.a),
          valueWithInterval(m.b),
          changeWithInterval(m.change),
          m.judgement,
        ]),
      ),
    );
  }
  if (rows.length) out.push(line(head), line(head.map(() => '---')), ...rows, '');
  else out.push('No job of B has the parameters of a job of A: nothing to compare.', '');
  for (const n of footnotes(c)) out.push(`- ${escapeMarkdown(n)}`);
  if (rows.length) out.push('', VERDICT_RULE);
  if (gate) {
    out.push(
      '',
      gate.regressions.length
        ? `**Regression gate failed** (worse by more than ${gate.thresholdPct}% on ${gatedText(gate)}): ${gate.regressions.map((r) => escapeMarkdown(`${jobLabel(r.params, keys)}: ${r.reason}`)).join('; ')}`
        : `Regression gate passed: no job significantly worse by more than ${gate.thresholdPct}% on ${gatedText(gate)}.`,
    );
  }
  return out.join('\n').trimEnd() + '\n';
}
