/** `servebench up`: the one-host cluster (Temporal dev server, leader, one follower) until Ctrl-C. */
import { openStack, type Stack } from '../../workers/stack';
import { resultsFile } from '../../workers/paths';
import { CliError, EXIT } from '../exit-codes';
import { uiBaseUrl } from '../ui';

export interface UpOptions {
  cluster: string;
  devices: string[];
  uiPort?: number;
}

export async function upCommand(opts: UpOptions): Promise<number> {
  const say = (line: string) => process.stderr.write(line + '\n');
  let stack: Stack;
  try {
    stack = await openStack({ workers: 'always', cluster: opts.cluster, devices: opts.devices, uiPort: opts.uiPort, say });
  } catch (err) {
    throw new CliError(`cannot reach or start Temporal: ${(err as Error).message}`, EXIT.unavailable);
  }
  const ui = uiBaseUrl(stack);
  say(`servebench is up: Temporal at ${stack.target.address} (namespace ${stack.target.namespace})`);
  if (ui) say(`  Web UI:   ${ui}`);
  say(`  workers:  leader + follower (cluster ${opts.cluster}, devices ${opts.devices.join(', ')}); logs in ${stack.logFile}`);
  say(`  results:  ${resultsFile()}`);
  say('Ctrl-C stops everything.');
  const signal = await new Promise<NodeJS.Signals>((res) => {
    process.once('SIGINT', () => res('SIGINT'));
    process.once('SIGTERM', () => res('SIGTERM'));
  });
  say(`${signal}: shutting down`);
  await stack.stop();
  return EXIT.ok;
}
