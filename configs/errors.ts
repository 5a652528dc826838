/** Config errors as people read them: `<file>: <path> (line N): <expected>, got <found>`, one per line. */

export type PathSegment = string | number;

/** An issue before it is placed in the file: path as segments, message complete. */
export interface IssueAt {
  path: PathSegment[];
  message: string;
}

export interface ConfigIssue {
  /** Dotted path, list indexes in brackets, e.g. `sweep.workload.rate[2]`; empty for the whole file. */
  path: string;
  line?: number;
  message: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(issues.map((i) => formatIssue(file, i)).join('\n'));
  }
}

/** `workload.rate`, `sweep.workload.rate[2]`; sweep keys keep their dots. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

export function formatIssue(file: string, issue: ConfigIssue): string {
  const line = issue.line === undefined ? '' : issue.path ? ` (line ${issue.line})` : `line ${issue.line}`;
  const where = `${issue.path}${line}`;
  return where ? `${file}: ${where}: ${issue.message}` : `${file}: ${issue.message}`;
}

/** The text of any error, with config errors listed one issue per line (never zod's JSON). */
export function formatConfigError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A short rendering of a found value for "got ...". */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return truncate(JSON.stringify(value));
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list ${truncate(JSON.stringify(value))}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty mapping' : `a mapping with keys ${truncate(keys.join(', '))}`;
  }
  return String(value);
}

function truncate(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}
