/** Real leader and follower workers against the test Temporal server, with a private state directory. */
import { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalWorkers } from '../../workers/local-workers';
import { installWorkerLogging } from '../../workers/logging';
import { ensureSearchAttributes } from '../../workers/search-attributes';

export interface TestCluster {
  client: Client;
  home: string;
  resultsFile: string;
  workers: Worker[];
  stop(): Promise<void>;
}

export async function startTestCluster(opts: { cluster?: string; node?: string; namespace?: string; devices?: string[] } = {}): Promise<TestCluster> {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: the jest globalSetup starts the test server');
  const namespace = opts.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default';
  const home = mkdtempSync(join(tmpdir(), 'sb-home-'));
  const resultsFile = join(home, 'results.duckdb');
  installWorkerLogging(join(home, 'logs'), 'WARN');
  const connection = await Connection.connect({ address });
  await ensureSearchAttributes(connection, namespace);
  const local = await startLocalWorkers({
    target: { address, namespace },
    cluster: opts.cluster ?? 'local',
    node: opts.node ?? 'testnode',
    devices: opts.devices ?? ['cpu'],
    resultsFile,
    cacheDir: join(home, 'artifacts'),
  });
  return {
    client: new Client({ connection, namespace }),
    home,
    resultsFile,
    workers: local.workers,
    async stop() {
      await local.stop();
      await connection.close();
    },
  };
}
