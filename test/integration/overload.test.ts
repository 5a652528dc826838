/**
 * Overload on purpose through the whole stack, as a user meets it: `servebench run` on a sweep whose second rate is
 * about twice what the built-in server can serve on this host (a compute-bound model, one thread). The overloaded
 * run must be recorded as invalid with the saturation in words and its real completion rate, kept off the Pareto
 * front and best-under-SLO, and `run` must exit 4 (a job produced no valid measurement).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servebench } from '../support/cli';

// ~4 ms per inference on one core here (perf:crosscheck's headline model): 250 req/s at best, 600 offered.
const OFFERED = 600;
const CONFIG = `name: overload
model:
  generate: { family: mlp, layers: 6, hidden: 2048, inputShape: [64], seed: 1 }
serving: { instances: 1, intraOpThreads: 1 }
workload:
  mode: server
  warmup: 500ms
  duration: 3s
  seed: 3
slo: { p99Ms: 2000 }
sweep:
  workload.rate: [20, ${OFFERED}]
`;

test('an overloaded server is reported at the rate it completed, as invalid, off the front, and run exits 4', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-overload-'));
  const file = join(dir, 'overload.yaml');
  writeFileSync(file, CONFIG);
  // A namespace of its own: `run` starts its workers only where no worker polled in the last 2 minutes, and the
  // CLI tests' workers (namespace servebench-cli) may have, just before, then gone.
  const env = { SERVEBENCH_HOME: join(dir, '.servebench'), TEMPORAL_NAMESPACE: 'servebench-overload' };

  const run = await servebench(['run', file, '--id', 'overload-1'], env, 170_000);
  expect(run.stdout).toMatch(/server saturated: [\d,.]+ of [\d,.]+ req\/s completed/);
  expect(run.stderr).toMatch(/jobs produced no valid measurement/);
  expect(run.code).toBe(4);

  const q = await servebench(
    ['query', `select target_rate, valid, invalid_reasons, throughput, achieved_rate, inflight_at_end, completed_in_window from runs order by target_rate`, '--json'],
    env,
  );
  expect(q.code).toBe(0);
  const [, over] = JSON.parse(q.stdout) as Record<string, unknown>[];
  expect(over.target_rate).toBe(OFFERED);
  expect(over.valid).toBe(false);
  // Throughput is what completed in the window, far below what was offered (and sent).
  expect(over.throughput as number).toBeLessThan(OFFERED * 0.8);
  expect(over.achieved_rate as number).toBeGreaterThan(OFFERED * 0.8);
  expect(over.inflight_at_end as number).toBeGreaterThan(0);
  expect(JSON.parse(over.invalid_reasons as string).join(' ')).toMatch(/server saturated/);

  // Never on the Pareto front nor best under the SLO, however high its p99 or throughput looks.
  const front = await servebench(['query', `select count(*) as n from pareto_front where target_rate = ${OFFERED} or not coalesce(valid, true)`, '--json'], env);
  expect(JSON.parse(front.stdout)).toEqual([{ n: 0 }]);
  const best = await servebench(['query', `select count(*) as n from best_under_slo where target_rate = ${OFFERED}`, '--json'], env);
  expect(JSON.parse(best.stdout)).toEqual([{ n: 0 }]);
});
