/** `servebench worker ...` as a separate process (to be killed without warning), and waiting for a child to end. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(__dirname, '..', '..', 'bin', 'servebench.js');

/** `servebench worker <args>` with its own state directory, in `namespace` of the test server. */
export function workerProcess(args: string[], home: string, namespace: string): ChildProcess {
  return spawn(process.execPath, [BIN, 'worker', ...args], {
    env: { ...process.env, SERVEBENCH_HOME: home, TEMPORAL_NAMESPACE: namespace },
    stdio: 'ignore',
  });
}

/** Resolves once the process has exited (at once if it already has). */
export const exited = (p: ChildProcess): Promise<unknown> =>
  p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : Promise.resolve();
