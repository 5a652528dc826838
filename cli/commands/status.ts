/**
 * `servebench status [SWEEP]`: without SWEEP, the recent sweeps and each cluster's devices (who holds them, who
 * waits); with SWEEP, that sweep's progress and the stage of each running job. With no Temporal server running
 * on this host (after a plain `run`, whose embedded server stopped), the sweeps as the results database holds them.
 */
import { isMissingDatabase } from '../../analysis/db';
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { recordedSweep, recordedSweeps, type SweepLine } from '../../analysis/sweep-list';
import { UnknownSweepError } from '../../analysis/sweeps';
import { schedulerStateQuery, type SchedulerView } from '../../workflows/scheduler/messages';
import { progressQuery, type SweepProgress } from '../../workflows/signals';
import { sweepStatus } from '../../workflows/sweep-status';
import { isLocalAddress, temporalTarget } from '../../workers/connection';
import { answers } from '../../workers/devserver';
import { resultsFile } from '../../workers/paths';
import { renderTable } from '../format';
import { ttyWidth } from '../table-fit';
import { connectClient, listWorkflows, resolveSweepWorkflow, sweepFacts } from '../temporal-client';
import { CliError, EXIT } from '../exit-codes';

export interface StatusOptions {
  json?: boolean;
  limit?: number;
}

function sweepLine(info: WorkflowExecutionInfo): SweepLine {
  const attr = (k: string) => info.searchAttributes?.[k]?.[0] as unknown;
  const facts = sweepFacts(info);
  // A running sweep says which stage it is in (planning, running, cancelled while its jobs stop).
  const published = attr('ServebenchStatus') as string | undefined;
  const status = info.status.name === 'RUNNING' && published ? published : sweepStatus(facts);
  return {
    sweep: info.workflowId,
    name: String(attr('ServebenchSweep') ?? ''),
    status,
    done: (attr('ServebenchJobsDone') as number | undefined) ?? null,
    total: facts.jobsTotal,
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
  return rows.length ? `${renderTable(['cluster', 'device', 'type', 'cores', 'state', 'holder'], rows, { width: ttyWidth() })}\n${waiting}` : 'no registered devices (is a follower running? servebench up, or servebench worker follower)';
}

const renderSweeps = (sweeps: SweepLine[]): string =>
  sweeps.length ? renderTable(['sweep', 'name', 'status', 'done', 'total', 'started'], sweeps as unknown as Record<string, unknown>[], { width: ttyWidth() }) : 'no sweeps yet';

const renderSweep = (line: SweepLine): string =>
  `sweep ${line.sweep} (${line.name}): ${line.status}, ${line.done ?? '?'}/${line.total ?? '?'} jobs done, started ${line.started}`;

export async function statusCommand(sweep: string | undefined, opts: StatusOptions): Promise<number> {
  const target = temporalTarget();
  if (!(await answers(target.address, target))) {
    // A server on another host is down: that is its problem to report. On this host, none running is normal.
    if (!isLocalAddress(target.address)) throw new CliError(`no Temporal server answers at ${target.address} (namespace ${target.namespace})`, EXIT.unavailable);
    return statusFromResults(sweep, opts);
  }
  const { client, close } = await connectClient();
  try {
    if (sweep === undefined) {
      const sweeps = (await listWorkflows(client, `WorkflowType = 'sweepWorkflow'`, opts.limit ?? 10)).map(sweepLine);
      const clusters = await schedulers(client);
      if (opts.json) {
        process.stdout.write(JSON.stringify({ sweeps, clusters }, null, 2) + '\n');
        return EXIT.ok;
      }
      process.stdout.write(renderSweeps(sweeps) + '\n');
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
    process.stdout.write(renderSweep(line) + '\n');
    if (progress) {
      if (progress.failed) process.stdout.write(`${progress.failed} failed\n`);
      const active = Object.entries(progress.active).map(([job, stage]) => ({ job, stage }));
      process.stdout.write(active.length ? renderTable(['job', 'stage'], active, { width: ttyWidth() }) + '\n' : 'no job running\n');
    }
    return EXIT.ok;
  } finally {
    await close();
  }
}

/** No cluster: what the results database recorded; devices exist only while followers run. */
async function statusFromResults(sweep: string | undefined, opts: StatusOptions): Promise<number> {
  const file = resultsFile();
  const target = temporalTarget();
  process.stderr.write(`no cluster is running (nothing answers at ${target.address}): sweeps as recorded in ${file}; start one with servebench up\n`);
  if (sweep === undefined) {
    const sweeps = await recordedSweeps(file, opts.limit ?? 10);
    process.stdout.write((opts.json ? JSON.stringify({ sweeps, clusters: [] }, null, 2) : renderSweeps(sweeps)) + '\n');
    return EXIT.ok;
  }
  let line: SweepLine;
  try {
    line = await recordedSweep(file, sweep);
  } catch (err) {
    if (err instanceof UnknownSweepError || isMissingDatabase(err)) throw new CliError((err as Error).message, EXIT.invalid);
    throw err;
  }
  process.stdout.write((opts.json ? JSON.stringify({ ...line, progress: null }, null, 2) : renderSweep(line)) + '\n');
  return EXIT.ok;
}
