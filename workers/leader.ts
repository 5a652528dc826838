/**
 * The leader worker: runs all workflow code (sweeps, benchmarks) and the analysis activities; the only writer
 * of the results database.
 */
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createLeaderActivities } from '../activities/leader';
import { LEADER_QUEUE } from '../workflows/queues';
import { workflowCode } from './workflow-code';

/** Leader activities run at once: records queue in the writer, scheduler checks and plans alongside them. */
const LEADER_ACTIVITY_SLOTS = 32;

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
    // Records wait together in the results writer, which writes them a batch per transaction (one file user at a
    // time); one record at a time held every finished job behind the previous one's write (perf:sweep-scale).
    maxConcurrentActivityTaskExecutions: LEADER_ACTIVITY_SLOTS,
  });
}
