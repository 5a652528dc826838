/**
 * A built-in server killed in the middle of a measurement: the measure activity stops the load at once and fails
 * with a retryable ServerCrashed (the benchmark workflow then places the job on another device), instead of
 * running out its window against a dead port and returning a "result" made of refused requests. Found by
 * `npm run chaos`. Real processes (server and load generator children; they need `npm run build`), the activity
 * in MockActivityEnvironment.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../../configs/load';
import { createClusterActivities, createDeviceActivities } from '../../activities/follower';
import type { CompileResult } from '../../activities/types';
import { RETRYABLE_FAILURE } from '../../workflows/failures';

const config = parseConfig(
  `name: crash
model:
  generate: { family: mlp, layers: 2, hidden: 32, inputShape: [16], dtype: float32, seed: 3 }
workload: { mode: concurrency, concurrency: 2, warmup: 200ms, duration: 60s }
`,
  'crash.yaml',
);

/** This process's built-in server children. */
function serverChildren(): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((pid) => {
      try {
        const ppid = /^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
        return ppid === String(process.pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('server-main');
      } catch {
        return false;
      }
    })
    .map(Number);
}

test('a server SIGKILLed mid-measurement fails the attempt as a retryable ServerCrashed, not a result of errors', async () => {
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'sb-crash-'));
  try {
    const ctx = { cluster: 'local', node: 'crashnode', cacheDir };
    const env = () => new MockActivityEnvironment();
    const compiled = (await env().run(createClusterActivities(ctx).compile, { jobId: 'j1', config })) as CompileResult;
    const { artifact } = compiled;
    const activityEnv = env();
    let progressed = false;
    activityEnv.on('heartbeat', (d: unknown) => {
      // The load generator reports progress once requests flow: the server answers.
      if ((d as { completed?: number } | undefined)?.completed) progressed = true;
    });
    const measuring = activityEnv.run(createDeviceActivities(ctx).measure, { jobId: 'j1', config, artifact });
    const outcome = measuring.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    for (let i = 0; !(progressed && serverChildren().length === 1); i++) {
      if (i > 1200) throw new Error('the measurement never got under way');
      await new Promise((r) => setTimeout(r, 50));
    }
    const [pid] = serverChildren();
    process.kill(pid, 'SIGKILL');

    const err = await outcome;
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe(RETRYABLE_FAILURE.serverCrashed);
    expect((err as ApplicationFailure).nonRetryable).toBe(false);
    expect((err as Error).message).toContain(`the built-in server (pid ${pid}) exited (SIGKILL)`);
    // Nothing of the measurement is left running.
    expect(serverChildren()).toEqual([]);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}, 120_000);
