/**
 * A follower worker: one per host. It polls its cluster queue (compile, any node) and one queue per device
 * (serve + load) with at most one activity at a time, so two measurements never share a device.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { hostname } from 'node:os';
import { createFollowerActivities } from '../activities/follower';
import { clusterQueue, deviceQueue } from '../workflows/queues';

export interface FollowerOptions {
  connection: NativeConnection;
  namespace: string;
  cluster: string;
  node?: string;
  devices: string[];
  cacheDir: string;
}

/** A node name that is safe inside a task-queue name. */
export function defaultNodeName(): string {
  return hostname().replace(/[^A-Za-z0-9_-]/g, '-') || 'node';
}

export async function createFollowerWorkers(opts: FollowerOptions): Promise<Worker[]> {
  const node = opts.node ?? defaultNodeName();
  const { compile, measure } = createFollowerActivities({ cluster: opts.cluster, node, devices: opts.devices, cacheDir: opts.cacheDir });
  const base = { connection: opts.connection, namespace: opts.namespace };
  const clusterWorker = await Worker.create({
    ...base,
    taskQueue: clusterQueue(opts.cluster),
    activities: { compile },
    // Compiles are CPU-heavy; one at a time per host.
    maxConcurrentActivityTaskExecutions: 1,
  });
  const deviceWorkers = await Promise.all(
    opts.devices.map((device) =>
      Worker.create({
        ...base,
        taskQueue: deviceQueue(opts.cluster, node, device),
        activities: { measure },
        // Exclusive by construction: one measurement at a time on a device.
        maxConcurrentActivityTaskExecutions: 1,
      }),
    ),
  );
  return [clusterWorker, ...deviceWorkers];
}
