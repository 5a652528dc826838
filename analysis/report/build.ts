/** A sweep's report: load it from the results file (read-only, closed before rendering), then build and render the page. */
import { withDatabase } from '../db';
import { resolveSweep } from '../sweeps';
import { loadReportData, type ReportData } from './data';
import { renderHtml, type RenderedPlot } from './html';
import { llmSectionHtml } from './llm-html';
import { buildLlmPlots } from './llm-plots';
import { buildPlots } from './plots';
import { renderSvg } from './render';

export interface Report {
  data: ReportData;
  html: string;
  /** Vega warnings while rendering; empty for a healthy report. */
  warnings: string[];
}

/** Loads the sweep named by `ref` (id, name or `latest`); throws UnknownSweepError when there is none. */
export async function loadReport(file: string, ref: string): Promise<ReportData> {
  return withDatabase(file, 'read-only', async (conn) => loadReportData(conn, (await resolveSweep(conn, ref)).sweepId));
}

export async function renderReport(data: ReportData, generatedAt = new Date().toISOString(), sections: string[] = []): Promise<Report> {
  const warnings: string[] = [];
  const render = async (plots: ReturnType<typeof buildPlots>): Promise<RenderedPlot[]> => {
    const rendered: RenderedPlot[] = [];
    for (const plot of plots) {
      if (!plot.spec) {
        rendered.push({ plot });
        continue;
      }
      const { svg, warnings: w } = await renderSvg(plot.spec);
      warnings.push(...w.map((m) => `${plot.id}: ${m}`));
      rendered.push({ plot, svg });
    }
    return rendered;
  };
  const rendered = await render(buildPlots(data));
  // The LLM section (none without LLM runs) comes first of the sections after the runs table.
  const llm = llmSectionHtml(data, await render(buildLlmPlots(data)));
  return { data, html: renderHtml(data, rendered, generatedAt, [...(llm ? [llm] : []), ...sections]), warnings };
}
