/** A client for commands that only talk to Temporal (status, cancel): they never start a server. */
import { Client, Connection, type WorkflowExecutionInfo } from '@temporalio/client';
import { temporalTarget } from '../workers/connection';
import type { SweepFacts } from '../workflows/sweep-status';
import { CliError, EXIT } from './exit-codes';

export async function connectClient(): Promise<{ client: Client; close(): Promise<void> }> {
  const target = temporalTarget();
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: target.address, tls: target.tls, apiKey: target.apiKey, connectTimeout: '5s' });
    await connection.ensureConnected();
  } catch (err) {
    throw new CliError(`no Temporal server answers at ${target.address}: ${(err as Error).message} (start one with servebench up)`, EXIT.unavailable);
  }
  return { client: new Client({ connection, namespace: target.namespace }), close: () => connection.close() };
}

/** The executions a visibility query matches, newest first; at most `limit`. */
export async function listWorkflows(client: Client, query: string, limit = Infinity): Promise<WorkflowExecutionInfo[]> {
  const out: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query })) {
    out.push(info);
    if (out.length >= limit) break;
  }
  return out;
}

/** A sweep named on the command line: its workflow id, its name (the most recent sweep of that name), or "latest". */
export async function resolveSweepWorkflow(client: Client, sweep: string): Promise<WorkflowExecutionInfo> {
  const esc = sweep.replace(/'/g, "\\'");
  const byId = await listWorkflows(client, `WorkflowType = 'sweepWorkflow' AND WorkflowId = '${esc}'`, 1);
  if (byId.length) return byId[0];
  const query = sweep === 'latest' ? `WorkflowType = 'sweepWorkflow'` : `WorkflowType = 'sweepWorkflow' AND ServebenchSweep = '${esc}'`;
  const found = await listWorkflows(client, query, 1);
  if (!found.length) throw new CliError(`no sweep "${sweep}" in namespace ${client.options.namespace} (give a sweep id, a sweep name or "latest")`, EXIT.invalid);
  return found[0];
}

/** What a sweep execution tells about its status (sweepStatus decides it), from its search attributes. */
export function sweepFacts(info: Pick<WorkflowExecutionInfo, 'status' | 'searchAttributes'>): SweepFacts {
  const int = (k: string) => (info.searchAttributes?.[k]?.[0] as number | undefined) ?? null;
  return { execution: info.status.name, jobsTotal: int('ServebenchJobsTotal'), jobsFailed: int('ServebenchJobsFailed') };
}
