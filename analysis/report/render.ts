/**
 * Vega-Lite spec -> static SVG text, in Node with Vega's headless view (no canvas, no DOM), so the report
 * page carries finished drawings and needs no JavaScript or network to show them.
 */
import { Error as ErrorLevel, View, logger, parse } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface Rendered {
  svg: string;
  /** What Vega-Lite and Vega warned about (e.g. a dropped encoding); kept so tests can insist there is none. */
  warnings: string[];
}

export async function renderSvg(spec: TopLevelSpec): Promise<Rendered> {
  const warnings: string[] = [];
  // A logger that collects instead of printing: the command's stdout is the Markdown summary.
  const log = logger(ErrorLevel);
  log.warn = (...args: readonly unknown[]) => {
    warnings.push(args.map(String).join(' '));
    return log;
  };
  const vegaSpec = compile(spec, { logger: log }).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none', logLevel: ErrorLevel });
  view.logger(log);
  try {
    const svg = await view.toSVG();
    // Inline SVG in HTML needs no namespace declarations; dropping them leaves the page free of any URL.
    return { svg: svg.replace(/\s+xmlns(:xlink)?="[^"]*"/g, ''), warnings };
  } finally {
    view.finalize();
  }
}
