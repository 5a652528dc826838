/** Text for values shown in the report (tables, plot labels, Markdown); no escaping here, that is per output. */

/** A parameter value as the user wrote it in YAML: strings bare, everything else as JSON. */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v);
}

/** Numbers with as many digits as a person reads: 2424.7, 12.35, 0.372, 0.400; null as a dash. */
export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  if (Number.isInteger(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 100) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

/**
 * Short names for swept keys: the last path segment ("maxBatchSize") where that is unambiguous among the
 * sweep's keys, else the full dotted path, so labels stay short without two keys looking the same.
 */
export function shortKeys(keys: string[]): Map<string, string> {
  const last = (k: string): string => k.slice(k.lastIndexOf('.') + 1) || k;
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(last(k), (counts.get(last(k)) ?? 0) + 1);
  return new Map(keys.map((k) => [k, counts.get(last(k)) === 1 ? last(k) : k]));
}

/** "concurrency=4, maxBatchSize=8": one configuration, the same for all repeats of a job. */
export function configLabel(params: Record<string, unknown>, keys: string[]): string {
  if (!keys.length) return '(no swept parameters)';
  const short = shortKeys(keys);
  return keys.map((k) => `${short.get(k)}=${formatValue(params[k])}`).join(', ');
}

/** Compact legend entries for plots, "4 · 8", under a title naming the keys, "concurrency · maxBatchSize". */
export function configValues(params: Record<string, unknown>, keys: string[]): string {
  return keys.length ? keys.map((k) => formatValue(params[k])).join(' · ') : '(no swept parameters)';
}

export function configTitle(keys: string[]): string {
  const short = shortKeys(keys);
  return keys.length ? keys.map((k) => short.get(k)).join(' · ') : 'configuration';
}

/** 2025-01-02 10:00:00 UTC from an ISO timestamp; other text unchanged. */
export function formatTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** Ascending order for parameter values: numbers numerically, anything else by its text (with numeric runs). */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return formatValue(a).localeCompare(formatValue(b), 'en', { numeric: true });
}

/** 1.23 G, 456 M: SI prefixes for FLOP counts and rates. */
export function formatSi(n: number): string {
  const prefixes = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  let i = 0;
  while (Math.abs(n) >= 1000 && i < prefixes.length - 1) {
    n /= 1000;
    i++;
  }
  return `${Number(n.toPrecision(3))} ${prefixes[i]}`;
}
