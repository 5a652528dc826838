/**
 * A process that holds something another process needs, for the chaos run:
 *   holder lock FILE MS   opens the DuckDB file read-write (DuckDB's one-writer lock) and holds it MS ms;
 *   holder port PORT      binds 127.0.0.1:PORT and holds it until killed.
 * Prints `held` on stdout once it holds it.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { createServer } from 'node:net';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function holdLock(file: string, ms: number): Promise<void> {
  // The leader may hold it for a moment: wait our turn, as any writer does.
  for (let i = 0; ; i++) {
    try {
      const db = await DuckDBInstance.create(file, { access_mode: 'READ_WRITE' });
      process.stdout.write('held\n');
      await sleep(ms);
      db.closeSync();
      return;
    } catch (err) {
      if (i > 600) throw err;
      await sleep(50);
    }
  }
}

async function holdPort(port: number): Promise<void> {
  for (let i = 0; ; i++) {
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (bound) {
      process.stdout.write('held\n');
      return; // the listening server keeps the process alive
    }
    if (i > 2400) throw new Error(`port ${port} stayed taken for a minute`);
    await sleep(25);
  }
}

const [what, arg, ms] = process.argv.slice(2);
(what === 'lock' ? holdLock(arg, Number(ms)) : what === 'port' ? holdPort(Number(arg)) : Promise.reject(new Error(`usage: holder lock FILE MS | port PORT`))).catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
