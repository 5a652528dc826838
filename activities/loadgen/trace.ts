/**
 * Trace files for the `trace` workload mode: send offsets in ms from the start of the run. Accepted forms
 * (pure parsing here; loadTrace reads the file):
 * - one offset per line (blank lines and lines starting with `#` are skipped);
 * - CSV with a header line that has a `time_ms` column (other columns ignored);
 * - a JSON array of numbers.
 * Offsets must be finite, >= 0 and non-decreasing, at least 2 of them, spanning more than 0 ms.
 * Errors are TraceError with the file and (for line forms) the 1-based line.
 */
import { readFileSync } from 'node:fs';

export class TraceError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly detail: string,
  ) {
    super(`${file}${line === null ? '' : `:${line}`}: ${detail}`);
    this.name = 'TraceError';
  }
}

/** Parses trace text (see the module comment); `file` names it in errors. */
export function parseTrace(text: string, file: string): Float64Array {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trimStart().startsWith('[')) return checked(parseJson(body, file), file, null);
  const lines = body.split(/\r?\n/);
  const values: number[] = [];
  const lineOf: number[] = [];
  let column: number | null = null;
  let sawData = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const lineNo = i + 1;
    if (!sawData && column === null && isHeader(raw)) {
      const cells = raw.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
      const at = cells.indexOf('time_ms');
      if (at < 0) throw new TraceError(file, lineNo, `header has no "time_ms" column (columns: ${cells.join(', ')})`);
      column = at;
      continue;
    }
    sawData = true;
    let cell = raw;
    if (column !== null) {
      const cells = raw.split(',');
      if (column >= cells.length) throw new TraceError(file, lineNo, `expected a time_ms value in column ${column + 1}, the line has ${cells.length}`);
      cell = cells[column].trim().replace(/^"(.*)"$/, '$1');
    } else if (raw.includes(',')) {
      throw new TraceError(file, lineNo, 'CSV lines need a header line with a "time_ms" column');
    }
    const v = cell === '' ? NaN : Number(cell);
    if (!Number.isFinite(v)) throw new TraceError(file, lineNo, `expected a send offset in ms, got "${cell}"`);
    if (v < 0) throw new TraceError(file, lineNo, `expected a send offset >= 0 ms, got ${v}`);
    if (values.length > 0 && v < values[values.length - 1]) {
      throw new TraceError(file, lineNo, `send offsets must not go back in time: ${v} after ${values[values.length - 1]} (line ${lineOf[lineOf.length - 1]})`);
    }
    values.push(v);
    lineOf.push(lineNo);
  }
  return checked(values, file, null);
}

/** The first data-ish line is a CSV header when it names columns (starts with a letter, `_` or a quote). */
function isHeader(line: string): boolean {
  return /^["A-Za-z_]/.test(line) && line !== 'Infinity' && line !== 'NaN';
}

function parseJson(text: string, file: string): number[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new TraceError(file, null, `invalid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(v)) throw new TraceError(file, null, 'expected a JSON array of send offsets in ms');
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
      throw new TraceError(file, null, `element ${i}: expected a send offset >= 0 ms, got ${JSON.stringify(x)}`);
    }
    if (i > 0 && x < (v as number[])[i - 1]) {
      throw new TraceError(file, null, `element ${i}: send offsets must not go back in time: ${x} after ${(v as number[])[i - 1]}`);
    }
  });
  return v as number[];
}

function checked(values: number[], file: string, line: number | null): Float64Array {
  if (values.length < 2) throw new TraceError(file, line, `a trace needs at least 2 send offsets, got ${values.length}`);
  if (!(values[values.length - 1] > values[0])) throw new TraceError(file, line, 'a trace must span more than 0 ms (all its send offsets are equal)');
  return Float64Array.from(values);
}

/** Reads and parses a trace file. */
export function loadTrace(file: string): Float64Array {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TraceError(file, null, code === 'ENOENT' ? 'trace file not found' : `cannot read the trace: ${(err as Error).message}`);
  }
  return parseTrace(text, file);
}
