/** `servebench worker leader|follower`: one worker process, against any Temporal server (TEMPORAL_ADDRESS). */
import { NativeConnection, type Worker } from '@temporalio/worker';
import { Connection } from '@temporalio/client';
import { temporalTarget } from '../../workers/connection';
import { createFollowerWorkers, defaultNodeName, resolveDevices } from '../../workers/follower';
import { joinCluster, type Membership } from '../../workers/registration';
import { createLeaderWorker } from '../../workers/leader';
import { installWorkerLogging } from '../../workers/logging';
import { artifactsDir, logsDir, resultsFile } from '../../workers/paths';
import { ensureSearchAttributes } from '../../workers/search-attributes';
import { CliError, EXIT } from '../exit-codes';

export interface WorkerOptions {
  cluster: string;
  node?: string;
  devices: string[];
}

export async function workerCommand(role: string, opts: WorkerOptions): Promise<number> {
  if (role !== 'leader' && role !== 'follower') throw new CliError(`worker role must be "leader" or "follower", got "${role}"`, EXIT.invalid);
  const target = temporalTarget();
  installWorkerLogging(logsDir(), 'INFO', true);
  let native: NativeConnection;
  try {
    native = await NativeConnection.connect({ address: target.address, tls: target.tls, apiKey: target.apiKey });
  } catch (err) {
    throw new CliError(`no Temporal server answers at ${target.address}: ${(err as Error).message}`, EXIT.unavailable);
  }
  let workers: Worker[];
  let membership: Membership | null = null;
  if (role === 'leader') {
    const conn = await Connection.connect({ address: target.address, tls: target.tls, apiKey: target.apiKey });
    await ensureSearchAttributes(conn, target.namespace);
    await conn.close();
    workers = [await createLeaderWorker({ connection: native, namespace: target.namespace, resultsFile: resultsFile() })];
  } else {
    const node = opts.node ?? defaultNodeName();
    let devices;
    try {
      devices = await resolveDevices(opts.devices);
    } catch (err) {
      throw new CliError(`--devices: ${(err as Error).message}`, EXIT.invalid);
    }
    workers = await createFollowerWorkers({ connection: native, namespace: target.namespace, cluster: opts.cluster, node, devices: opts.devices, cacheDir: artifactsDir() });
    membership = await joinCluster({ connection: native, namespace: target.namespace, cluster: opts.cluster, node, devices });
    // Deregister first on SIGINT/SIGTERM, so the scheduler grants nothing more here while the workers drain.
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void membership?.stop());
  }
  // Worker.run() shuts down on SIGINT/SIGTERM by default (Runtime shutdown signals).
  await Promise.all(workers.map((w) => w.run()));
  await membership?.stop();
  await native.close();
  return EXIT.ok;
}
