/**
 * Duration values in configs: "500ms", "2s", "1.5s", "1m", "1h", or a bare number of seconds.
 * Pure (no zod) so the CLI and workflow code can reuse it.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_RE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$/;

export const DURATION_HINT = 'a duration like "500ms", "2s", "1.5s", "1m" or a number of seconds';

/** Milliseconds for a duration value, or undefined when it is not one. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? roundMs(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const m = DURATION_RE.exec(value);
  if (!m) return undefined;
  return roundMs(Number(m[1]) * UNIT_MS[m[2] ?? 's']);
}

/** Keep microsecond precision but drop float noise such as 1.1 * 1000 = 1100.0000000000002. */
function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Short human form of a number of milliseconds, e.g. 1500 -> "1.5s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}
