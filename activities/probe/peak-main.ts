/**
 * Child-process entry of the compute-peak probe (see peak-compute.ts), started pinned to a device's cores:
 * receives PeakOptions over IPC, answers { peak } or { error } and exits. Exits at once when its parent goes away.
 */
import { measurePeak, type PeakOptions } from './peak-matmul';

process.on('disconnect', () => process.exit(0));

process.once('message', (opts: PeakOptions) => {
  measurePeak(opts).then(
    (peak) => answer({ peak }),
    (e: unknown) => answer({ error: (e as Error)?.message ?? String(e) }),
  );
});

function answer(msg: object): void {
  process.send!(msg, () => process.exit(0));
}
