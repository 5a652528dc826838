/**
 * A working servebench stack for this host: the Temporal server at TEMPORAL_ADDRESS when one answers, else the
 * embedded dev server; plus, when nobody polls the queues yet, a leader and a follower worker in this process.
 */
import { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { clusterQueue, LEADER_QUEUE } from '../workflows/queues';
import { isLocalAddress, temporalTarget, type TemporalTarget } from './connection';
import { answers, startDevServer, type DevServer } from './devserver';
import { startLocalWorkers, type LocalWorkers } from './local-workers';
import { installWorkerLogging } from './logging';
import { pollerAlive } from './poller-liveness';
import { artifactsDir, logsDir, resultsFile, temporalDbFile } from './paths';
import { ensureSearchAttributes } from './search-attributes';

export interface StackOptions {
  cluster?: string;
  devices?: string[];
  /** `up` always runs workers here; `run` only when no worker polls the queues; `rebuild` never. */
  workers: 'always' | 'if-none' | 'never';
  uiPort?: number;
  say?: (line: string) => void;
}

export interface Stack {
  target: TemporalTarget;
  client: Client;
  server: DevServer | null;
  /** Workers started in this process (empty when others already serve the queues). */
  workers: Worker[];
  logFile: string | null;
  stop(): Promise<void>;
}

export async function openStack(opts: StackOptions): Promise<Stack> {
  const say = opts.say ?? (() => undefined);
  const target = temporalTarget();
  let server: DevServer | null = null;
  if (!(await answers(target.address, target))) {
    const [ip, port] = target.address.split(':');
    // Only a loopback address can be ours to start; anything else is someone's server that is down.
    if (!isLocalAddress(target.address)) {
      throw new Error(`no Temporal server answers at TEMPORAL_ADDRESS=${target.address} (namespace ${target.namespace})`);
    }
    const uiPort = opts.uiPort ?? Number(port) + 1000;
    say(`starting the embedded Temporal dev server on ${target.address} (data in ${temporalDbFile()})`);
    server = await startDevServer({ dbFile: temporalDbFile(), ip, port: Number(port), uiPort, namespace: target.namespace, logFile: join(logsDir(), 'temporal.log') });
  }
  const connection = await Connection.connect({ address: target.address, tls: target.tls, apiKey: target.apiKey });
  const client = new Client({ connection, namespace: target.namespace });
  await ensureSearchAttributes(connection, target.namespace);

  const cluster = opts.cluster ?? 'local';
  let local: LocalWorkers | null = null;
  let logFile: string | null = null;
  if (opts.workers === 'always' || (opts.workers === 'if-none' && !(await queuesServed(client, cluster)))) {
    logFile = installWorkerLogging(logsDir());
    local = await startLocalWorkers({ target, cluster, devices: opts.devices ?? ['cpu'], resultsFile: resultsFile(), cacheDir: artifactsDir() });
  }

  return {
    target,
    client,
    server,
    workers: local?.workers ?? [],
    logFile,
    async stop() {
      await local?.stop();
      await connection.close();
      await server?.stop();
    },
  };
}

const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = temporal.api.enums.v1.TaskQueueType;

/** Whether a live worker polls the queue (see poller-liveness.ts: a worker of this host that exited does not count). */
async function polledRecently(client: Client, name: string, type: temporal.api.enums.v1.TaskQueueType): Promise<boolean> {
  const res = await client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name }, taskQueueType: type });
  const now = Date.now();
  return (res.pollers ?? []).some((p) =>
    pollerAlive(
      { identity: p.identity ?? '', lastAccessMs: p.lastAccessTime?.seconds != null ? Number(p.lastAccessTime.seconds) * 1000 : null },
      now,
      hostname(),
      processRuns,
    ),
  );
}

/** Whether a process of this host runs (signal 0 checks without signalling; EPERM: it runs, as someone else). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a leader worker (it runs the sweep workflows) polled lately. */
export const leaderServed = (client: Client): Promise<boolean> => polledRecently(client, LEADER_QUEUE, TASK_QUEUE_TYPE_WORKFLOW);

/** Whether live workers poll the leader queue and the cluster queue. */
async function queuesServed(client: Client, cluster: string): Promise<boolean> {
  return (await leaderServed(client)) && (await polledRecently(client, clusterQueue(cluster), TASK_QUEUE_TYPE_ACTIVITY));
}
