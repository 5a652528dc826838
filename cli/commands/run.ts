/**
 * `servebench run CONFIG`: validate locally (nothing starts on bad input), make sure a stack is there, start
 * the sweep workflow, show progress, print the summary. Exit 0 only when every job completed with a valid
 * measurement (1: a job failed; 4: every job ran, but some measured nothing valid; 5: the sweep was cancelled,
 * and the summary holds the jobs that finished).
 */
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { JobSummary } from '../../activities/job-summary';
import { loadConfig } from '../../configs/load';
import { ConfigError } from '../../configs/errors';
import { preflightChecks } from '../../configs/preflight';
import { LEADER_QUEUE } from '../../workflows/queues';
import { SWEEP_NAME } from '../../workflows/search-attributes';
import { sweepStatus } from '../../workflows/sweep-status';
import { progressQuery, type SweepProgress } from '../../workflows/signals';
import type { SweepInput, sweepWorkflow } from '../../workflows/sweep';
import { openStack, type Stack } from '../../workers/stack';
import { resultsFile } from '../../workers/paths';
import { CliError, EXIT } from '../exit-codes';
import { createProgressView } from '../progress';
import { finishedJobSummaries } from '../finished-jobs';
import { invalidJobs, renderSweepSummary } from '../summary';
import { lastingUiWorkflowUrl } from '../ui';
import { FAILURE, isFailure } from '../../workflows/failures';

const NO_WORKER_WARNING_MS = 30_000;

export interface RunOptions {
  id?: string;
  json?: boolean;
}

function printSummary(jobs: JobSummary[], sweepId: string): void {
  process.stdout.write(renderSweepSummary(jobs) + '\n');
  process.stdout.write(`results: ${resultsFile()} (servebench query "select * from results where sweep_id = '${sweepId}'")\n`);
}

/** A sweep id people can read and sort: name plus UTC time. */
export function newSweepId(name: string, now = new Date()): string {
  return `${name}-${now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}`;
}

export async function runCommand(file: string, opts: RunOptions): Promise<number> {
  let config;
  try {
    config = loadConfig(file, { checks: preflightChecks() });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, EXIT.invalid);
    throw err;
  }
  const input: SweepInput = { configYaml: readFileSync(file, 'utf8'), configFile: resolve(file), baseDir: dirname(resolve(file)) };
  const say = (line: string) => process.stderr.write(line + '\n');

  let stack: Stack;
  try {
    stack = await openStack({ workers: 'if-none', cluster: config.target.cluster, say });
  } catch (err) {
    throw new CliError(`cannot reach or start Temporal: ${(err as Error).message}`, EXIT.unavailable);
  }
  const interrupted = new Promise<number>((res) =>
    process.once('SIGINT', () => {
      say('\ninterrupted: the sweep stays in Temporal and resumes when workers run again (servebench up)');
      res(EXIT.interrupted);
    }),
  );
  try {
    const sweepId = opts.id ?? newSweepId(config.name);
    const handle = await stack.client.workflow.start<typeof sweepWorkflow>('sweepWorkflow', {
      taskQueue: LEADER_QUEUE,
      workflowId: sweepId,
      args: [input],
      typedSearchAttributes: [{ key: SWEEP_NAME, value: config.name }],
    });
    say(`sweep ${sweepId} started`);
    const ui = lastingUiWorkflowUrl(stack, sweepId);
    if (ui) say(`watch it in the Temporal UI: ${ui}`);

    const view = opts.json ? null : createProgressView();
    // Queries are answered by a leader worker: long silence means none is running (e.g. stale pollers were seen).
    let lastAnswer = Date.now();
    const seen: { last?: SweepProgress } = {};
    let warned = false;
    const poll = setInterval(() => {
      handle.query(progressQuery).then(
        (p) => {
          lastAnswer = Date.now();
          seen.last = p;
          view?.update(p);
        },
        () => {
          if (warned || Date.now() - lastAnswer < NO_WORKER_WARNING_MS) return;
          warned = true;
          say(`no leader worker has answered for ${NO_WORKER_WARNING_MS / 1000} s: is one running? (servebench up, or servebench worker leader)`);
        },
      );
    }, 500);
    let code: number;
    try {
      const result = await Promise.race([handle.result(), interrupted]);
      if (typeof result === 'number') return result;
      const failed = result.jobs.filter((j) => j.status === 'failed').length;
      const status = sweepStatus({ execution: 'COMPLETED', jobsTotal: result.jobs.length, jobsFailed: failed });
      view?.update({ sweepId, name: result.name, status, total: result.jobs.length, done: result.jobs.length, failed, active: {} });
      view?.stop();
      if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      else printSummary(result.jobs, sweepId);
      const invalid = invalidJobs(result.jobs).length;
      if (!opts.json && invalid > 0) say(`${invalid} of ${result.jobs.length} jobs produced no valid measurement: see the valid column (exit ${EXIT.noValidMeasurement})`);
      code = result.jobs.some((j) => j.status === 'failed') ? EXIT.failed : invalid > 0 ? EXIT.noValidMeasurement : EXIT.ok;
    } catch (err) {
      view?.stop();
      if (err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure) {
        clearInterval(poll);
        const jobs = await finishedJobSummaries(stack.client, sweepId, seen.last?.done ?? 0);
        const total = seen.last?.total ?? null;
        if (opts.json) process.stdout.write(JSON.stringify({ sweepId, name: config.name, status: 'cancelled', jobsTotal: total, jobs }, null, 2) + '\n');
        else if (jobs.length) printSummary(jobs, sweepId);
        say(`sweep ${sweepId} was cancelled: ${jobs.length} of ${total ?? '?'} jobs had finished (exit ${EXIT.cancelled}); servebench run ${file} --id ${sweepId} resumes the rest`);
        return EXIT.cancelled;
      }
      if (err instanceof WorkflowFailedError) {
        const cause = (err.cause?.cause ?? err.cause) as Error | undefined;
        const invalid = isFailure(err, FAILURE.invalidConfig);
        throw new CliError(`sweep ${sweepId} failed: ${cause?.message ?? err.message}`, invalid ? EXIT.invalid : EXIT.failed);
      }
      throw err;
    } finally {
      clearInterval(poll);
    }
    return code;
  } finally {
    // The sweep's outcome is decided by now: a failure to stop the local stack cleanly must not replace it.
    await stack.stop().catch((err) => say(`note: stopping the local workers and server: ${(err as Error).message}`));
  }
}
