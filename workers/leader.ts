/**
 * The leader worker: runs all workflow code (sweeps, benchmarks) and the analysis activities; the only writer
 * of the results database.
 */
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createLeaderActivities } from '../activities/leader';
import { LEADER_QUEUE } from '../workflows/queues';
import { workflowCode } from './workflow-code';

export interface LeaderOptions {
  connection: NativeConnection;
  namespace: string;
  resultsFile: string;
}

export async function createLeaderWorker(opts: LeaderOptions): Promise<Worker> {
  let client: Client | undefined;
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: LEADER_QUEUE,
    ...workflowCode(),
    activities: createLeaderActivities({ resultsFile: opts.resultsFile, client: () => (client ??= new Client({ connection: opts.connection, namespace: opts.namespace })) }),
    // Result writes hold the DuckDB file: one at a time keeps them from waiting on each other's lock.
    maxConcurrentActivityTaskExecutions: 1,
  });
}
