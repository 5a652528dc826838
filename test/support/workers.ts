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

export interface TestClusterOptions {
  cluster?: string;
  node?: string;
  namespace?: string;
  devices?: string[];
}

export async function startTestCluster(opts: TestClusterOptions = {}): Promise<TestCluster> {
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

export interface UseTestClusterOptions extends TestClusterOptions {
  /** Runs in the same beforeAll just before the workers start (checks, builds), under the same timeout. */
  prepare?: () => void | Promise<void>;
  /** The beforeAll's timeout in ms; jest's testTimeout when absent. */
  timeoutMs?: number;
}

/**
 * Starts a test cluster in a beforeAll and stops it in an afterAll of the enclosing describe (or file).
 * The returned object reads through to the started cluster, so it can be captured at describe time and
 * used in tests; its stop() may be called by a test and is then a no-op in the afterAll.
 */
export function useTestCluster(opts: UseTestClusterOptions = {}): TestCluster {
  const { prepare, timeoutMs, ...clusterOpts } = opts;
  let started: TestCluster | undefined;
  let stopping: Promise<void> | undefined;
  const current = (): TestCluster => {
    if (!started) throw new Error('the test cluster is not started: useTestCluster starts it in a beforeAll, so use it inside hooks and tests');
    return started;
  };
  const stop = (): Promise<void> => (stopping ??= started?.stop() ?? Promise.resolve());
  beforeAll(async () => {
    await prepare?.();
    started = await startTestCluster(clusterOpts);
  }, timeoutMs);
  afterAll(stop);
  return {
    get client() {
      return current().client;
    },
    get home() {
      return current().home;
    },
    get resultsFile() {
      return current().resultsFile;
    },
    get workers() {
      return current().workers;
    },
    stop,
  };
}
