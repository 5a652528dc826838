/**
 * `servebench cancel SWEEP`: cancels a running sweep. Its running jobs are cancelled with it (their devices go
 * back to the scheduler); finished jobs keep their results; `servebench run --id SWEEP` later resumes the rest.
 */
import { connectClient, resolveSweepWorkflow } from '../temporal-client';
import { CliError, EXIT } from '../exit-codes';

export async function cancelCommand(sweep: string, opts: { wait?: boolean }): Promise<number> {
  const { client, close } = await connectClient();
  try {
    const info = await resolveSweepWorkflow(client, sweep);
    if (info.status.name !== 'RUNNING') throw new CliError(`sweep ${info.workflowId} is not running (${info.status.name.toLowerCase()})`, EXIT.invalid);
    const handle = client.workflow.getHandle(info.workflowId);
    await handle.cancel();
    process.stderr.write(`cancel requested for sweep ${info.workflowId}\n`);
    if (opts.wait !== false) {
      await handle.result().catch(() => undefined);
      const d = await handle.describe();
      process.stderr.write(`sweep ${info.workflowId}: ${d.status.name.toLowerCase()}\n`);
    }
    return EXIT.ok;
  } finally {
    await close();
  }
}
