/** The leader's activities: plan a sweep from its config, and record sweeps and jobs in the results database. */
import { ConfigError } from '../configs/errors';
import { expandAndValidate, parseConfig, revalidateConfig } from '../configs/load';
import { jobKey } from '../configs/matrix';
import { configPatch } from '../configs/patch';
import { preflightChecks } from '../configs/preflight';
import { heartbeatingAll } from './heartbeat';
import { finishedJobs } from './analysis/finished';
import { ResultsWriter } from './analysis/results-writer';
import type { JobSummary } from './job-summary';
import { createSchedulerActivities } from './scheduler';
import type { Client } from '@temporalio/client';
import { invalidConfig } from '../workflows/failures';
import { LEADER_HEARTBEAT_MS } from '../workflows/timings';
import type { JobOutcome, PlanSweepInput, SweepPlan, SweepRow } from './types';

export interface LeaderContext {
  resultsFile: string;
  /** For the scheduler's activities (start it, check lease holders); made on first use. */
  client: () => Client;
}

export function planSweep(input: PlanSweepInput): SweepPlan {
  const source = input.configFile ?? 'config';
  try {
    // What this host can run is checked here too: a sweep started from the UI fails before any job starts.
    const checks = preflightChecks();
    let config;
    if (typeof input.configYaml === 'string') config = parseConfig(input.configYaml, source, { baseDir: input.baseDir ?? process.cwd(), checks });
    else if (input.config !== undefined) config = revalidateConfig(input.config, source, checks);
    else throw new ConfigError(source, [{ path: '', message: 'expected the sweep input to carry configYaml (YAML text) or config (an object)' }]);
    // Each job's config as its changes to the sweep's: a 1,000-job plan stays far below the payload limit.
    const jobs = expandAndValidate(config, source).map(({ config: jobConfig, ...j }) => ({
      ...j,
      jobId: `${input.sweepId}/${jobKey(j)}`,
      patch: configPatch(config, jobConfig),
    }));
    return { name: config.name, config, jobs };
  } catch (err) {
    if (err instanceof ConfigError) throw invalidConfig(err.message);
    throw err;
  }
}

/**
 * Every leader activity heartbeats while it runs (a record may wait for the results database's lock), so one
 * whose leader died is noticed within LEADER_HEARTBEAT_TIMEOUT_MS and retried by another leader; recording is
 * idempotent (INSERT OR REPLACE by run id), so the retry replaces whatever the dead attempt wrote. Records of
 * concurrent activities are written together, one transaction per batch (./analysis/results-writer.ts).
 */
export function createLeaderActivities(ctx: LeaderContext) {
  return heartbeatingAll(leaderActivities(ctx), LEADER_HEARTBEAT_MS);
}

function leaderActivities(ctx: LeaderContext) {
  // Records from concurrent activities share transactions (results-writer.ts).
  const results = new ResultsWriter(ctx.resultsFile);
  return {
    async planSweep(input: PlanSweepInput): Promise<SweepPlan> {
      return planSweep(input);
    },
    async recordSweep(row: SweepRow): Promise<void> {
      await results.write({ sweep: row });
    },
    async recordJob(outcome: JobOutcome): Promise<void> {
      await results.write({ job: outcome, recordedAt: new Date().toISOString() });
    },
    /** Jobs of this sweep already recorded as completed: a restarted sweep resumes after them. */
    async finishedJobs(sweepId: string): Promise<JobSummary[]> {
      return results.exclusive(() => finishedJobs(ctx.resultsFile, sweepId));
    },
    ...createSchedulerActivities(ctx.client),
  };
}

export type LeaderActivities = ReturnType<typeof createLeaderActivities>;
