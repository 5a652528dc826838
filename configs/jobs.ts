/**
 * Validates every job a sweep expands to, so a bad sweep value is reported where it was written
 * (`sweep.workload.rate[2]`) and schema defaults apply per job (e.g. a swept
 * `serving.batching.maxBatchSize` gets the default `maxQueueDelayMs`).
 */
import type { z } from 'zod';
import type { IssueAt, PathSegment } from './errors';
import { countCombinations, deepCopy, expandSweep, getPath, type Job } from './matrix';
import type { Config } from './schema';
import { validateConfig } from './validate';
import { checkWith } from './zod-issues';

/** More jobs than this is almost surely a mistake in the sweep (and would not finish). */
export const MAX_JOBS = 10_000;

export interface ValidatedJobs {
  /** Issues of the sweep's jobs; where the whole config is also invalid, they repeat its issues. */
  issues: IssueAt[];
  /** Present when there are no issues. */
  jobs?: Job[];
  /** The sweep with each value as validated (durations in ms, objects with defaults); when there are no issues. */
  sweep?: Record<string, unknown[]>;
}

/**
 * Expands `config` (its sweep must be a mapping of non-empty lists; other values may be in YAML
 * form or even invalid) and checks each job with `schema` and validateConfig. Issues under a
 * swept path point at the sweep value; others name the combination unless every job has them.
 */
export function validateJobs(config: Config, schema: z.ZodType<Config>): ValidatedJobs {
  const sweep = config.sweep ?? {};
  const keys = Object.keys(sweep);
  const repeats = typeof config.repeat === 'number' && config.repeat > 0 ? config.repeat : 1;
  const combos = countCombinations(config);
  if (combos * repeats > MAX_JOBS) {
    return { issues: [{ path: ['sweep'], message: `expected at most ${MAX_JOBS} jobs, got ${combos} combinations x ${repeats} repeats` }] };
  }

  let firstRepeat: Job[];
  try {
    firstRepeat = expandSweep({ ...config, repeat: 1 }); // repeats differ only in their index
  } catch {
    return { issues: [] }; // a swept path runs through a non-mapping: the schema reports that value
  }

  const checked: Config[] = [];
  const issues = placedIssues(firstRepeat, sweep, (job) => {
    const result = checkWith(schema, job.config);
    if (result.ok) checked.push(result.data);
    return [...(result.ok ? [] : result.issues), ...validateConfig(job.config)];
  });
  if (issues.length > 0) return { issues };

  const jobs: Job[] = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    // Own copies per job, so mutating one job never touches another.
    firstRepeat.forEach((job, i) => jobs.push({ index: job.index, repeat, params: deepCopy(job.params), config: deepCopy(checked[i]) }));
  }
  const validatedSweep = keys.length
    ? Object.fromEntries(keys.map((k, ki) => [k, sweep[k].map((_, vi) => getPath(checked[firstIndexWith(ki, vi, keys, sweep)], k))]))
    : undefined;
  return { issues: [], jobs, sweep: validatedSweep };
}

/**
 * Runs `check` on each job of a validated config (e.g. what this host can run) and places its issues like
 * validateJobs does: on the sweep value that set a swept path, else naming the combination unless every job has it.
 */
export function checkEachJob(config: Config, check: (job: Config) => IssueAt[]): IssueAt[] {
  const jobs = expandSweep({ ...config, repeat: 1 }); // repeats differ only in their index
  return placedIssues(jobs, config.sweep ?? {}, (job) => check(job.config));
}

/** Each job's issues, placed on sweep values, deduplicated, each naming the combinations it affects (see withCombination). */
function placedIssues(jobs: Job[], sweep: Record<string, unknown[]>, issuesOf: (job: Job) => IssueAt[]): IssueAt[] {
  const keys = Object.keys(sweep);
  const issues = new Map<string, { issue: IssueAt; jobs: Job[] }>();
  for (const job of jobs) {
    const indexes = valueIndexes(job.index, keys.map((k) => sweep[k].length));
    for (const issue of issuesOf(job)) {
      const placed = placeIssue(issue, keys, indexes);
      const id = `${placed.path.join('\u0000')}\n${placed.message}`;
      (issues.get(id) ?? issues.set(id, { issue: placed, jobs: [] }).get(id)!).jobs.push(job);
    }
  }
  return [...issues.values()].map(({ issue, jobs: affected }) => withCombination(issue, affected, keys, jobs.length));
}

/** Combination index -> index into each key's value list (first key varies slowest). */
function valueIndexes(index: number, lengths: number[]): number[] {
  const out = new Array<number>(lengths.length);
  for (let k = lengths.length - 1; k >= 0; k--) {
    out[k] = index % lengths[k];
    index = Math.floor(index / lengths[k]);
  }
  return out;
}

/** The first combination whose value for key `ki` is value `vi` (all other keys at their first value). */
function firstIndexWith(ki: number, vi: number, keys: string[], sweep: Record<string, unknown[]>): number {
  return vi * keys.slice(ki + 1).reduce((n, k) => n * sweep[k].length, 1);
}

/** An issue at (or under) a swept path moves to that sweep value. */
function placeIssue(issue: IssueAt, keys: string[], indexes: number[]): IssueAt {
  const ki = keys.findIndex((k) => startsWith(issue.path, k.split('.')));
  if (ki < 0) return issue;
  const rest = issue.path.slice(keys[ki].split('.').length);
  return { path: ['sweep', keys[ki], indexes[ki], ...rest], message: issue.message };
}

/** An issue only some combinations have (e.g. rate missing where the sweep sets mode "server") says which. */
function withCombination(issue: IssueAt, jobs: Job[], keys: string[], total: number): IssueAt {
  if (keys.length === 0 || jobs.length === total || issue.path[0] === 'sweep') return issue;
  // Name the swept values all affected jobs share: that is usually the cause.
  const same = (k: string) => jobs.every((j) => JSON.stringify(j.params[k]) === JSON.stringify(jobs[0].params[k]));
  const common = keys.filter(same).map((k) => `${k} = ${JSON.stringify(jobs[0].params[k])}`);
  const which = jobs.length === 1 ? 'the sweep job' : `the ${jobs.length} sweep jobs`;
  const where = common.length ? `${which} with ${common.join(', ')}` : `${jobs.length} of ${total} sweep jobs`;
  return { path: issue.path, message: `${issue.message}, in ${where}` };
}

function startsWith(path: readonly PathSegment[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((seg, i) => String(path[i]) === seg);
}
