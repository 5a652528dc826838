/**
 * Workers of one arm of perf:scheduler's real half: the stock leader + follower (workers/local-workers.ts), or, for
 * the "two tier without the cache" ablation, the same workers whose cluster-tier compile looks in a fresh cache
 * directory per job, so every job compiles (on the cluster tier, one free core, as the stock compile does).
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { join } from 'node:path';
import { createClusterActivities, createDeviceActivities, nodeLedger } from '../activities/follower';
import type { CompileInput } from '../activities/types';
import { resolveDevices } from '../workers/follower';
import { createLeaderWorker } from '../workers/leader';
import { startLocalWorkers, type LocalWorkers, type LocalWorkersOptions } from '../workers/local-workers';
import { joinCluster } from '../workers/registration';
import { clusterQueue, deviceQueue } from '../workflows/queues';

export async function startArmWorkers(opts: LocalWorkersOptions & { node: string; cache: boolean }): Promise<LocalWorkers> {
  if (opts.cache) return startLocalWorkers(opts);
  const { address, namespace } = opts.target;
  const connection = await NativeConnection.connect({ address });
  const devices = await resolveDevices(opts.devices);
  const ctx = { cluster: opts.cluster, node: opts.node, cacheDir: opts.cacheDir, ledger: nodeLedger() };
  const base = { connection, namespace };
  const workers = [
    await createLeaderWorker({ ...base, resultsFile: opts.resultsFile }),
    await Worker.create({
      ...base,
      taskQueue: clusterQueue(opts.cluster),
      activities: {
        compile: (input: CompileInput) => createClusterActivities({ ...ctx, cacheDir: join(opts.cacheDir, 'per-job', input.jobId.replace(/[^A-Za-z0-9._-]/g, '_')) }).compile(input),
      },
      maxConcurrentActivityTaskExecutions: 1,
    }),
    ...(await Promise.all(
      devices.map((device) =>
        Worker.create({ ...base, taskQueue: deviceQueue(opts.cluster, opts.node, device.name), activities: createDeviceActivities({ ...ctx, device }), maxConcurrentActivityTaskExecutions: 1 }),
      ),
    )),
  ];
  const running = workers.map((w) => w.run());
  const membership = await joinCluster({ connection, namespace, cluster: opts.cluster, node: opts.node, devices });
  return {
    workers,
    async stop() {
      await membership.stop();
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(running);
      await connection.close();
    },
  };
}
