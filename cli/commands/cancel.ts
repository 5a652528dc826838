/**
 * `servebench cancel SWEEP`: cancels a running sweep. Its running jobs are cancelled with it (their devices go
 * back to the scheduler); finished jobs keep their results; `servebench run --id SWEEP` later resumes the rest.
 * Like `rebuild`, it uses the server at TEMPORAL_ADDRESS or starts the embedded one, so it works after a plain
 * `run` too. It waits a bounded time for the sweep to stop, and says what is still pending.
 */
import { openStack, leaderServed, type Stack } from '../../workers/stack';
import { sweepStatus } from '../../workflows/sweep-status';
import { CliError, EXIT } from '../exit-codes';
import { listWorkflows, resolveSweepWorkflow, sweepFacts } from '../temporal-client';

export const DEFAULT_CANCEL_WAIT_S = 60;

export interface CancelOptions {
  /** false with --no-wait. */
  wait?: boolean;
  /** Seconds to wait for the sweep to stop. */
  timeout?: number;
}

export async function cancelCommand(sweep: string, opts: CancelOptions): Promise<number> {
  const say = (line: string) => process.stderr.write(line + '\n');
  let stack: Stack;
  try {
    stack = await openStack({ workers: 'never', say });
  } catch (err) {
    throw new CliError(`cannot reach or start Temporal: ${(err as Error).message}`, EXIT.unavailable);
  }
  try {
    const { client } = stack;
    const info = await resolveSweepWorkflow(client, sweep);
    if (info.status.name !== 'RUNNING') throw new CliError(`sweep ${info.workflowId} is not running (${sweepStatus(sweepFacts(info))})`, EXIT.invalid);
    const handle = client.workflow.getHandle(info.workflowId);
    await handle.cancel();
    say(`cancel requested for sweep ${info.workflowId}`);
    if (opts.wait === false) return EXIT.ok;
    if (!(await leaderServed(client))) {
      say(`pending: no leader worker is running, so the sweep stops (and is recorded as cancelled) when workers next run (servebench up)`);
      return EXIT.ok;
    }
    const waitS = opts.timeout ?? DEFAULT_CANCEL_WAIT_S;
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      handle.result().then(
        () => true,
        () => true,
      ),
      new Promise<false>((res) => (timer = setTimeout(() => res(false), waitS * 1000))),
    ]);
    clearTimeout(timer);
    if (!stopped) {
      const jobs = (await listWorkflows(client, `ParentWorkflowId = '${info.workflowId.replace(/'/g, "\\'")}' AND ExecutionStatus = 'Running'`)).map((w) => w.workflowId);
      const running = jobs.length ? `${jobs.length} job${jobs.length === 1 ? '' : 's'} still running (${jobs.join(', ')})` : 'no job running';
      say(`pending: sweep ${info.workflowId} has not stopped after ${waitS} s: ${running}; its workers may be gone. servebench status ${info.workflowId} shows when it has`);
      return EXIT.ok;
    }
    say(`sweep ${info.workflowId}: ${sweepStatus(sweepFacts(await handle.describe()))}`);
    return EXIT.ok;
  } finally {
    await stack.stop();
  }
}
