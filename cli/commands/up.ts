/** `servebench up`: the one-host cluster (Temporal dev server, leader, one follower) until Ctrl-C. */
import { openStack, type Stack } from '../../workers/stack';
import { resultsFile } from '../../workers/paths';
import { CliError, EXIT } from '../exit-codes';
import { startedByNpx, stopRequested } from '../stop-request';
import { announceUp, uiBaseUrl } from '../ui';

export interface UpOptions {
  cluster: string;
  devices: string[];
  uiPort?: number;
}

export async function upCommand(opts: UpOptions): Promise<number> {
  const say = (line: string) => process.stderr.write(line + '\n');
  // Listening from the start: a signal while the dev server starts must not kill this process and orphan it.
  const stop = stopRequested({ watchParent: startedByNpx() });
  let stack: Stack;
  try {
    stack = await openStack({ workers: 'always', cluster: opts.cluster, devices: opts.devices, uiPort: opts.uiPort, say });
  } catch (err) {
    throw new CliError(`cannot reach or start Temporal: ${(err as Error).message}`, EXIT.unavailable);
  }
  const ui = uiBaseUrl(stack);
  // Before saying it is up: a `run` started on that cue finds the note.
  const announced = announceUp({ address: stack.target.address, namespace: stack.target.namespace, uiUrl: ui });
  say(`servebench is up: Temporal at ${stack.target.address} (namespace ${stack.target.namespace})`);
  if (ui) say(`  Web UI:   ${ui}`);
  say(`  workers:  leader + follower (cluster ${opts.cluster}, devices ${opts.devices.join(', ')}); logs in ${stack.logFile}`);
  say(`  results:  ${resultsFile()}`);
  say('Ctrl-C stops everything.');
  const reason = await stop;
  say(`${reason}: shutting down`);
  announced.remove();
  await stack.stop();
  return EXIT.ok;
}
