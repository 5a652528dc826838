/**
 * A follower worker: one per host. It polls its cluster queue (compile, any node) and one queue per device
 * (serve + load, or the single tier's compile) with at most one activity at a time, so two measurements never
 * share a device. All of them share the process's node ledger, which keeps compiles off measuring cores.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { cpus, hostname } from 'node:os';
import { createClusterActivities, createDeviceActivities, nodeLedger } from '../activities/follower';
import { parseDevices } from '../activities/probe/devices';
import { probeGpus } from '../activities/probe/host';
import type { DeviceInfo } from '../workflows/scheduler/messages';
import { clusterQueue, deviceQueue } from '../workflows/queues';

export interface FollowerOptions {
  connection: NativeConnection;
  namespace: string;
  cluster: string;
  node?: string;
  /** Device specs: cpu, cpuN, cpuN=<cores>, gpuN (see activities/probe/devices.ts). */
  devices: string[];
  cacheDir: string;
}

/** A node name that is safe inside a task-queue name. */
export function defaultNodeName(): string {
  return hostname().replace(/[^A-Za-z0-9_-]/g, '-') || 'node';
}

/** This host's devices from their specs (cores from the OS; GPUs from nvidia-smi, asked only when a spec names one). */
export async function resolveDevices(specs: string[]): Promise<DeviceInfo[]> {
  const gpus = specs.some((s) => /^\s*gpu/.test(s)) ? await probeGpus() : [];
  return parseDevices(specs, cpus().length, gpus);
}

export async function createFollowerWorkers(opts: FollowerOptions): Promise<Worker[]> {
  const node = opts.node ?? defaultNodeName();
  const devices = await resolveDevices(opts.devices);
  const ctx = { cluster: opts.cluster, node, cacheDir: opts.cacheDir, ledger: nodeLedger() };
  const base = { connection: opts.connection, namespace: opts.namespace };
  const clusterWorker = await Worker.create({
    ...base,
    taskQueue: clusterQueue(opts.cluster),
    activities: createClusterActivities(ctx),
    // Compiles are CPU-heavy; one at a time per host (on one core the ledger frees).
    maxConcurrentActivityTaskExecutions: 1,
  });
  const deviceWorkers = await Promise.all(
    devices.map((device) =>
      Worker.create({
        ...base,
        taskQueue: deviceQueue(opts.cluster, node, device.name),
        activities: createDeviceActivities({ ...ctx, device }),
        // Exclusive by construction: one measurement at a time on a device.
        maxConcurrentActivityTaskExecutions: 1,
      }),
    ),
  );
  return [clusterWorker, ...deviceWorkers];
}
