/**
 * When a long-running command (`up`) should stop: SIGINT or SIGTERM to this process, or its parent going away.
 * Under `npx`, signals reach npm, which forwards them to its shell child; when that shell dies of them and
 * leaves this process orphaned, the parent check still stops the cluster (see .npmrc for the usual path).
 */

const PARENT_CHECK_MS = 500;

export type StopReason = 'SIGINT' | 'SIGTERM' | 'parent exited';

export function stopRequested(): Promise<StopReason> {
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
    const watch = setInterval(() => {
      if (process.ppid !== parent) done('parent exited');
    }, PARENT_CHECK_MS);
  });
}
