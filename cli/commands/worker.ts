/** `servebench worker leader|follower`: one worker process, against any Temporal server (TEMPORAL_ADDRESS). */
import { NativeConnection, type Worker } from '@temporalio/worker';
import { Connection } from '@temporalio/client';
import { temporalTarget } from '../../workers/connection';
import { createFollowerWorkers, defaultNodeName } from '../../workers/follower';
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
  if (role === 'leader') {
    const conn = await Connection.connect({ address: target.address, tls: target.tls, apiKey: target.apiKey });
    await ensureSearchAttributes(conn, target.namespace);
    await conn.close();
    workers = [await createLeaderWorker({ connection: native, namespace: target.namespace, resultsFile: resultsFile() })];
  } else {
    workers = await createFollowerWorkers({ connection: native, namespace: target.namespace, cluster: opts.cluster, node: opts.node ?? defaultNodeName(), devices: opts.devices, cacheDir: artifactsDir() });
  }
  // Worker.run() shuts down on SIGINT/SIGTERM by default (Runtime shutdown signals).
  await Promise.all(workers.map((w) => w.run()));
  await native.close();
  return EXIT.ok;
}
