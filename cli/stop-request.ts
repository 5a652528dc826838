/**
 * When a long-running command (`up`) should stop: SIGINT or SIGTERM to this process, or, when npx started it,
 * npx going away. Under `npx`, signals reach npm, which forwards them to its shell child (.npmrc makes that
 * child this process); were it a shell that died of them instead, this process would be left orphaned, and the
 * parent check still stops the cluster. Started otherwise (e.g. `nohup servebench up &` from a script that then
 * exits), losing the parent is no reason to stop.
 */

const PARENT_CHECK_MS = 500;

export type StopReason = 'SIGINT' | 'SIGTERM' | 'parent exited';

/** Whether npx (npm exec) started this process: then the pid a script holds is npm's, not ours. */
export const startedByNpx = (env: NodeJS.ProcessEnv = process.env): boolean => env.npm_command === 'exec';

export function stopRequested(opts: { watchParent: boolean }): Promise<StopReason> {
  const parent = process.ppid;
  return new Promise((resolve) => {
    const done = (reason: StopReason) => {
      clearInterval(watch);
      process.removeListener('SIGINT', onInt);
      process.removeListener('SIGTERM', onTerm);
      resolve(reason);
    };
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    // An orphan is re-parented (to init or a subreaper): its ppid changes.
    const watch = opts.watchParent
      ? setInterval(() => {
          if (process.ppid !== parent) done('parent exited');
        }, PARENT_CHECK_MS)
      : undefined;
  });
}
