/** Text for values shown in the report (tables, plot labels, Markdown); no escaping here, that is per output. */

/** A parameter value as the user wrote it in YAML: strings bare, everything else as JSON. */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v);
}

/** Numbers with as many digits as a person reads: 2424.7, 12.35, 0.372; null as a dash. */
export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  if (Number.isInteger(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 100) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  return Number(n.toPrecision(3)).toString();
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
