/**
 * Reading configs: YAML text -> validated Config, or a ConfigError that lists every problem as
 * `<file>: <path> (line N): <expected>, got <found>`.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, formatPath, type ConfigIssue, type IssueAt } from './errors';
import { checkEachJob, validateJobs } from './jobs';
import { validateConfig } from './validate';
import type { Job } from './matrix';
import { configSchema, loadedConfigSchema, type Config } from './schema';
import { lineOf } from './yaml-lines';
import { checkWith, withFound } from './zod-issues';

export { ConfigError, formatConfigError, type ConfigIssue } from './errors';

export interface ParseOptions {
  /** Directory that a relative `model.path` / `workload.trace` is resolved against; left as written when omitted. */
  baseDir?: string;
  /** Checks of each job beyond the schema (configs/preflight.ts: what this host can run), placed like schema issues. */
  checks?: JobCheck;
}

/** Issues of one job's validated config (no sweep); see checkEachJob. */
export type JobCheck = (job: Config) => IssueAt[];

/** Reads and validates a config file; a relative `model.path`, `workload.trace`, `workload.data` or `workload.prompts.file` is made absolute against the file's directory. */
export function loadConfig(file: string, options: Pick<ParseOptions, 'checks'> = {}): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, expected a YAML file' : `cannot read: ${(err as Error).message}`;
    throw new ConfigError(file, [{ path: '', message: why }]);
  }
  return parseConfig(text, file, { ...options, baseDir: dirname(resolve(file)) });
}

/** Validates YAML text; `file` names it in messages. Every sweep combination is validated too. */
export function parseConfig(text: string, file: string, options: ParseOptions = {}): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({ path: '', line: lineCounter.linePos(e.pos[0]).line, message: `YAML syntax error: ${e.message}` })),
    );
  }
  const fail = (issues: IssueAt[]) =>
    new ConfigError(
      file,
      issues
        .map((i): ConfigIssue => ({ path: formatPath(i.path), line: lineOf(doc, lineCounter, i.path), message: i.message }))
        .sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
    );

  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `YAML error: ${(err as Error).message}` }]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    const found = doc.contents === null ? 'an empty document' : undefined;
    const expected = 'expected a mapping of config keys (name, model, workload, ...)';
    throw fail([{ path: [], message: found ? `${expected}, got ${found}` : withFound(expected, raw) }]);
  }

  const whole = checkWith(configSchema, raw);
  // Expand the YAML-form input (not the parsed one) so sweep values are parsed exactly like fields.
  // Done even when the whole is invalid (if the sweep itself is sound), to report everything in one go.
  const sweepSound = whole.ok || !whole.issues.some((i) => i.path[0] === 'sweep');
  const jobs = sweepSound ? validateJobs(raw as Config, configSchema) : { issues: unsweptRules(raw as Config) };
  const issues = dedupe([...(whole.ok ? [] : whole.issues), ...jobs.issues]);
  if (!whole.ok || issues.length > 0) throw fail(issues);

  const swept = withSweep(whole.data, 'sweep' in jobs ? jobs.sweep : undefined);
  const config = options.baseDir === undefined ? swept : resolveModelPaths(swept, options.baseDir);
  const checked = options.checks ? checkEachJob(config, options.checks) : [];
  if (checked.length > 0) throw fail(checked);
  return config;
}

/**
 * Jobs of a loaded Config, each re-validated so defaults apply per job (matrix.ts alone only
 * substitutes values). Throws ConfigError (without line numbers) if a combination is invalid.
 */
export function expandAndValidate(config: Config, source = 'config'): Job[] {
  const result = validateJobs(config, loadedConfigSchema);
  if (!result.jobs) throw new ConfigError(source, result.issues.map(unplaced));
  return result.jobs;
}

/** Validates an already-loaded Config that came from elsewhere (e.g. a workflow argument). */
export function revalidateConfig(value: unknown, source = 'config', checks?: JobCheck): Config {
  const whole = checkWith(loadedConfigSchema, value);
  if (!whole.ok) throw new ConfigError(source, whole.issues.map(unplaced));
  const jobs = validateJobs(whole.data, loadedConfigSchema);
  if (!jobs.jobs) throw new ConfigError(source, jobs.issues.map(unplaced));
  const config = withSweep(whole.data, jobs.sweep);
  const checked = checks ? checkEachJob(config, checks) : [];
  if (checked.length > 0) throw new ConfigError(source, checked.map(unplaced));
  return config;
}

/** validateConfig on the base config, minus what a (broken) sweep would override anyway. */
function unsweptRules(raw: Config): IssueAt[] {
  const swept = raw.sweep && typeof raw.sweep === 'object' ? Object.keys(raw.sweep) : [];
  return validateConfig(raw).filter((i) => !swept.includes(i.path.join('.')));
}

function dedupe(issues: IssueAt[]): IssueAt[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const id = `${formatPath(i.path)}\n${i.message}`;
    return seen.has(id) ? false : (seen.add(id), true);
  });
}

function unplaced(i: IssueAt): ConfigIssue {
  return { path: formatPath(i.path), message: i.message };
}

/** Store sweep values as validated, so expanding the returned Config gives ms durations, not "2s". */
function withSweep(config: Config, sweep: Record<string, unknown[]> | undefined): Config {
  return sweep === undefined ? config : { ...config, sweep };
}

/** Relative model paths mean "next to the config file"; record them absolute so workers need no cwd. */
function resolveModelPaths(config: Config, baseDir: string): Config {
  const abs = (p: unknown) => (typeof p === 'string' && !isAbsolute(p) ? resolve(baseDir, p) : p);
  const out: Config = { ...config, model: { ...config.model } };
  if (out.model.path !== undefined) out.model.path = abs(out.model.path) as string;
  if (out.model.inputs) {
    out.model.inputs = Object.fromEntries(Object.entries(out.model.inputs).map(([k, v]) => [k, v.data === undefined ? v : { ...v, data: abs(v.data) as string }]));
  }
  // Trace and data files (workload.trace, workload.data) are next to the config file too.
  if (out.workload.trace !== undefined) out.workload = { ...out.workload, trace: abs(out.workload.trace) as string };
  if (out.workload.data !== undefined) out.workload = { ...out.workload, data: abs(out.workload.data) as string };
  // So is an LLM prompts file (workload.prompts.file).
  const withFile = (p: unknown) => (p && typeof p === 'object' && 'file' in p ? { ...p, file: abs((p as { file: unknown }).file) } : p);
  if (out.workload.prompts?.file !== undefined) out.workload = { ...out.workload, prompts: withFile(out.workload.prompts) as typeof out.workload.prompts };
  if (out.sweep) {
    out.sweep = { ...out.sweep };
    if (out.sweep['model.path']) out.sweep['model.path'] = out.sweep['model.path'].map(abs);
    for (const key of Object.keys(out.sweep)) {
      if (key === 'workload.trace' || key === 'workload.data' || key === 'workload.prompts.file' || /^model\.inputs\.[^.]+\.data$/.test(key)) out.sweep[key] = out.sweep[key].map(abs);
      if (key === 'workload.prompts') out.sweep[key] = out.sweep[key].map(withFile);
    }
    if (out.sweep.model) {
      out.sweep.model = out.sweep.model.map((m) =>
        m && typeof m === 'object' && 'path' in m ? { ...m, path: abs((m as { path: unknown }).path) } : m,
      );
    }
  }
  return out;
}
