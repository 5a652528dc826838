/** An in-memory Temporal dev server for a perf script: free port, headless, servebench's search attributes, a client. */
import { Client, Connection } from '@temporalio/client';
import { join } from 'node:path';
import { startDevServer } from '../workers/devserver';
import { freePort } from '../workers/ports';
import { ensureSearchAttributes } from '../workers/search-attributes';

export interface PerfTemporal {
  address: string;
  client: Client;
  stop(): Promise<void>;
}

export async function startPerfTemporal(home: string): Promise<PerfTemporal> {
  const server = await startDevServer({ port: await freePort(), uiPort: null, logFile: join(home, 'temporal.log'), readyTimeoutMs: 120_000 });
  const connection = await Connection.connect({ address: server.address });
  await ensureSearchAttributes(connection, 'default');
  return {
    address: server.address,
    client: new Client({ connection }),
    async stop() {
      await connection.close();
      await server.stop();
    },
  };
}
