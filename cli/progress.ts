/**
 * Live progress of a sweep: a bar with jobs done/total and what the running jobs are doing (a TTY), or one
 * line per change (logs, CI).
 */
import { SingleBar } from 'cli-progress';
import type { SweepProgress } from '../workflows/signals';

export interface ProgressView {
  update(p: SweepProgress): void;
  stop(): void;
}

function describeActive(p: SweepProgress): string {
  const counts: Record<string, number> = {};
  for (const stage of Object.values(p.active)) counts[stage] = (counts[stage] ?? 0) + 1;
  const parts = Object.entries(counts).map(([stage, n]) => `${n} ${stage}`);
  const failed = p.failed ? `, ${p.failed} failed` : '';
  return (parts.length ? parts.join(', ') : p.status) + failed;
}

export function createProgressView(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  if (stream.isTTY) {
    const bar = new SingleBar(
      { format: '{bar} {value}/{total} jobs | {stage}', hideCursor: true, clearOnComplete: false, stream, barsize: 30 },
    );
    let started = false;
    return {
      update(p) {
        if (!started && p.total > 0) {
          bar.start(p.total, p.done, { stage: describeActive(p) });
          started = true;
        } else if (started) bar.update(p.done, { stage: describeActive(p) });
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = '';
  return {
    update(p) {
      const line = `${p.done}/${p.total} jobs | ${describeActive(p)}`;
      if (p.total > 0 && line !== last) stream.write(line + '\n');
      last = line;
    },
    stop() {},
  };
}
