/**
 * `servebench status [SWEEP]`: without SWEEP, the recent sweeps and each cluster's devices (who holds them, who
 * waits); with SWEEP, that sweep's progress and the stage of each running job.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { schedulerStateQuery, type SchedulerView } from '../../workflows/scheduler/messages';
import { progressQuery, type SweepProgress } from '../../workflows/signals';
import { renderTable } from '../format';
import { connectClient, listWorkflows, resolveSweepWorkflow } from '../temporal-client';
import { EXIT } from '../exit-codes';

export interface StatusOptions {
  json?: boolean;
  limit?: number;
}

interface SweepLine {
  sweep: string;
  name: string;
  status: string;
  done: number | null;
  total: number | null;
  started: string;
}

function sweepLine(info: WorkflowExecutionInfo): SweepLine {
  const attr = (k: string) => info.searchAttributes?.[k]?.[0] as unknown;
  const status = info.status.name === 'RUNNING' ? String(attr('ServebenchStatus') ?? 'running') : info.status.name.toLowerCase();
  return {
    sweep: info.workflowId,
    name: String(attr('ServebenchSweep') ?? ''),
    status,
    done: (attr('ServebenchJobsDone') as number | undefined) ?? null,
    total: (attr('ServebenchJobsTotal') as number | undefined) ?? null,
    started: info.startTime.toISOString(),
  };
}

async function schedulers(client: Client): Promise<SchedulerView[]> {
  const running = await listWorkflows(client, `WorkflowType = 'schedulerWorkflow' AND ExecutionStatus = 'Running'`, 20);
  const views = await Promise.all(running.map((w) => client.workflow.getHandle(w.workflowId).query(schedulerStateQuery).catch(() => null)));
  return views.filter((v): v is SchedulerView => v !== null);
}

function renderDevices(views: SchedulerView[]): string {
  const rows = views.flatMap((v) =>
    v.devices.map((d) => ({
      cluster: v.cluster,
      device: d.key,
      type: d.type,
      cores: d.cores.join(','),
      state: d.state,
      holder: d.holder ?? '',
    })),
  );
  const waiting = views.map((v) => `${v.cluster}: ${v.pending.length} job(s) waiting for a device, ${v.granted} leases granted so far`).join('\n');
  return rows.length ? `${renderTable(['cluster', 'device', 'type', 'cores', 'state', 'holder'], rows)}\n${waiting}` : 'no registered devices (is a follower running? servebench up, or servebench worker follower)';
}

export async function statusCommand(sweep: string | undefined, opts: StatusOptions): Promise<number> {
  const { client, close } = await connectClient();
  try {
    if (sweep === undefined) {
      const sweeps = (await listWorkflows(client, `WorkflowType = 'sweepWorkflow'`, opts.limit ?? 10)).map(sweepLine);
      const clusters = await schedulers(client);
      if (opts.json) {
        process.stdout.write(JSON.stringify({ sweeps, clusters }, null, 2) + '\n');
        return EXIT.ok;
      }
      process.stdout.write(sweeps.length ? renderTable(['sweep', 'name', 'status', 'done', 'total', 'started'], sweeps as unknown as Record<string, unknown>[]) + '\n' : 'no sweeps yet\n');
      process.stdout.write(renderDevices(clusters) + '\n');
      return EXIT.ok;
    }
    const info = await resolveSweepWorkflow(client, sweep);
    const line = sweepLine(info);
    const progress: SweepProgress | null = info.status.name === 'RUNNING' ? await client.workflow.getHandle(info.workflowId).query(progressQuery).catch(() => null) : null;
    if (opts.json) {
      process.stdout.write(JSON.stringify({ ...line, progress }, null, 2) + '\n');
      return EXIT.ok;
    }
    process.stdout.write(`sweep ${line.sweep} (${line.name}): ${line.status}, ${line.done ?? '?'}/${line.total ?? '?'} jobs done, started ${line.started}\n`);
    if (progress) {
      if (progress.failed) process.stdout.write(`${progress.failed} failed\n`);
      const active = Object.entries(progress.active).map(([job, stage]) => ({ job, stage }));
      process.stdout.write(active.length ? renderTable(['job', 'stage'], active) + '\n' : 'no job running\n');
    }
    return EXIT.ok;
  } finally {
    await close();
  }
}
