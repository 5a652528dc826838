/**
 * Input data files in perf_analyzer's --input-data JSON format, `{"data": [{"INPUT": [...]}, ...]}` (an input
 * is a flat or nested list, or `{"content": [...], "shape": [...]}`), or JSONL (one such entry per line).
 * Each entry is one request; the load generator cycles through them. Pure: text in, entries out.
 */

export interface DataTensor {
  /** Elements, flattened row-major. */
  content: unknown[];
  /** From {"content", "shape"}; absent for a bare list (then the resolved shape applies). */
  shape?: number[];
}

/** One request's inputs by name. */
export type DataEntry = Record<string, DataTensor>;

/** Throws Error naming the entry (and line, for JSONL) that is wrong. */
export function parseDataFile(text: string, format: 'json' | 'jsonl'): DataEntry[] {
  if (format === 'jsonl') return parseJsonLines(text, parseEntry, 'expected at least one entry (one JSON object per line), got none');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON (${(e as Error).message})`, { cause: e });
  }
  const data = isObj(doc) ? doc.data : undefined;
  if (!Array.isArray(data)) throw new Error('expected {"data": [ {<input>: [...]}, ... ]} (perf_analyzer --input-data), got no "data" list');
  if (data.length === 0) throw new Error('expected at least one entry in "data", got none');
  return data.map((e, i) => parseEntry(e, `data[${i}]`));
}

/** JSONL: each non-blank line's JSON value through `entry` (named `line N`); `none` is the error when there is none. */
export function parseJsonLines<T>(text: string, entry: (value: unknown, where: string) => T, none: string): T[] {
  const entries: T[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new Error(`line ${i + 1}: not JSON (${(e as Error).message})`, { cause: e });
    }
    entries.push(entry(value, `line ${i + 1}`));
  });
  if (entries.length === 0) throw new Error(none);
  return entries;
}

/** The format a file name implies: .jsonl is JSONL, anything else JSON. */
export const dataFormatOf = (file: string): 'json' | 'jsonl' => (/\.jsonl$/i.test(file) ? 'jsonl' : 'json');

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseEntry(value: unknown, where: string): DataEntry {
  if (!isObj(value)) throw new Error(`${where}: expected a mapping of input name -> values, got ${Array.isArray(value) ? 'a list' : JSON.stringify(value)}`);
  const entry: DataEntry = {};
  for (const [name, v] of Object.entries(value)) {
    if (Array.isArray(v)) {
      entry[name] = { content: v.flat(Infinity as 1) };
    } else if (isObj(v) && Array.isArray(v.content)) {
      const shape = v.shape;
      if (shape !== undefined && !(Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0))) {
        throw new Error(`${where}: input "${name}": expected "shape" to be a list of integers >= 0, got ${JSON.stringify(shape)}`);
      }
      entry[name] = { content: v.content.flat(Infinity as 1), shape: shape as number[] | undefined };
    } else if (isObj(v) && 'b64' in v) {
      throw new Error(`${where}: input "${name}": "b64" data is not supported; give "content" (a list of values)`);
    } else {
      throw new Error(`${where}: input "${name}": expected a list of values or {"content": [...], "shape": [...]}, got ${JSON.stringify(v)?.slice(0, 60)}`);
    }
  }
  return entry;
}
