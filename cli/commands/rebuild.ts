/**
 * `servebench rebuild`: restores the rows of every sweep that Temporal still holds, from the sweep workflows'
 * memos and the benchmark workflows' results (each carries its run's full summary). Writes replace rows by
 * key, so rebuilding over an intact file changes nothing.
 */
import { writeJob, writeSweep } from '../../activities/analysis/record';
import type { JobOutcome } from '../../activities/types';
import { sweepStatus } from '../../workflows/sweep-status';
import type { SweepMemo } from '../../workflows/sweep';
import { SWEEP_MEMO } from '../../workflows/sweep';
import { openStack } from '../../workers/stack';
import { resultsFile } from '../../workers/paths';
import { CliError, EXIT } from '../exit-codes';
import { listWorkflows } from '../temporal-client';

export async function rebuildCommand(opts: { db?: string }): Promise<number> {
  const file = opts.db ?? resultsFile();
  const say = (line: string) => process.stderr.write(line + '\n');
  let stack;
  try {
    stack = await openStack({ workers: 'never', say });
  } catch (err) {
    throw new CliError(`cannot reach or start Temporal: ${(err as Error).message}`, EXIT.unavailable);
  }
  try {
    const { client } = stack;
    const byId = new Map<string, JobOutcome[]>();
    const jobs = await listWorkflows(client, `WorkflowType = 'benchmarkWorkflow' AND ExecutionStatus = 'Completed'`);
    for (const info of jobs) {
      const outcome = (await client.workflow.getHandle(info.workflowId, info.runId).result()) as JobOutcome;
      await writeJob(file, outcome, (info.closeTime ?? new Date()).toISOString());
      byId.set(outcome.sweepId, [...(byId.get(outcome.sweepId) ?? []), outcome]);
    }
    const sweeps = await listWorkflows(client, `WorkflowType = 'sweepWorkflow'`);
    let restored = 0;
    for (const info of sweeps) {
      const memo = info.memo?.[SWEEP_MEMO] as SweepMemo | undefined;
      if (!memo) continue; // never got past planning: nothing was recorded for it either
      const outcomes = byId.get(info.workflowId) ?? [];
      const jobsFailed = outcomes.filter((o) => o.status === 'failed').length;
      await writeSweep(file, {
        sweepId: info.workflowId,
        ...memo,
        status: sweepStatus({ execution: info.status.name, jobsTotal: memo.jobsTotal, jobsFailed }),
        jobsDone: outcomes.length,
        jobsFailed,
        finishedAt: info.closeTime?.toISOString(),
      });
      restored++;
    }
    process.stdout.write(`restored ${restored} sweep${restored === 1 ? '' : 's'} and ${jobs.length} job${jobs.length === 1 ? '' : 's'} into ${file}\n`);
    return EXIT.ok;
  } finally {
    await stack.stop();
  }
}
