/** A leader and a follower worker in this process, running until stopped: `servebench up`, `run`, and the tests. */
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { TemporalTarget } from './connection';
import { createFollowerWorkers, defaultNodeName, resolveDevices } from './follower';
import { createLeaderWorker } from './leader';
import { joinCluster } from './registration';

export interface LocalWorkersOptions {
  target: Pick<TemporalTarget, 'address' | 'namespace' | 'tls' | 'apiKey'>;
  cluster: string;
  node?: string;
  devices: string[];
  resultsFile: string;
  cacheDir: string;
}

export interface LocalWorkers {
  workers: Worker[];
  stop(): Promise<void>;
}

export async function startLocalWorkers(opts: LocalWorkersOptions): Promise<LocalWorkers> {
  const { address, namespace, tls, apiKey } = opts.target;
  const connection = await NativeConnection.connect({ address, tls, apiKey });
  const node = opts.node ?? defaultNodeName();
  const workers = [
    await createLeaderWorker({ connection, namespace, resultsFile: opts.resultsFile }),
    ...(await createFollowerWorkers({ connection, namespace, cluster: opts.cluster, node, devices: opts.devices, cacheDir: opts.cacheDir })),
  ];
  const running = workers.map((w) => w.run());
  const membership = await joinCluster({ connection, namespace, cluster: opts.cluster, node, devices: await resolveDevices(opts.devices) });
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
