/** The trade-off views on hand-made rows in a real DuckDB file, checked against numbers worked out by hand. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query, withDatabase } from '../../analysis/db';
import { createViews } from '../../analysis/views';
import { insertRun, insertSweep } from '../support/results-fixture';

const file = join(mkdtempSync(join(tmpdir(), 'sb-views-')), 'results.duckdb');
const ids: Record<string, string> = {};

beforeAll(async () => {
  await withDatabase(file, 'read-write', async (conn) => {
    await insertSweep(conn, 's1', 'front', 10);
    const c = (i: number, inf: number, p99: number, extra = {}) =>
      insertRun(conn, { sweepId: 's1', jobIndex: i, params: { 'workload.concurrency': 2 ** i, 'workload.mode': 'concurrency' }, inferencesPerS: inf, p99Ms: p99, ...extra });
    ids.A = await c(0, 1000, 5, { meetsSlo: true, pricePerHour: 3.6 });
    ids.B = await c(1, 2000, 10, { meetsSlo: true });
    ids.C = await c(2, 1500, 12, { meetsSlo: false }); // dominated by B
    ids.D = await c(3, 500, 6, { meetsSlo: true }); // dominated by A
    ids.E = await c(4, 5000, 1, { errors: 3, meetsSlo: true }); // errors: on no front, never best
    ids.F = await insertRun(conn, { sweepId: 's1', jobIndex: 5, params: { 'workload.concurrency': 64 }, inferencesPerS: 300, p99Ms: 50, modelName: 'mlp_b' }); // another model: its own front
    ids.G = await c(6, 0, 0, { meetsSlo: false, pricePerHour: 3.6 }); // measured nothing: no cost, no energy, whatever the price

    // Repeats: configuration 0 has the higher mean but one repeat misses the SLO; configuration 1 wins.
    await insertSweep(conn, 's2', 'repeats', 20);
    const r = (i: number, rep: number, inf: number, meets: boolean) =>
      insertRun(conn, { sweepId: 's2', jobIndex: i, repeat: rep, params: { 'serving.instances': i + 1 }, inferencesPerS: inf, p99Ms: 10, meetsSlo: meets, device: 'gpu0' });
    await r(0, 0, 3000, true);
    await r(0, 1, 3100, false);
    ids.s2best0 = await r(1, 0, 2000, true);
    await r(1, 1, 2200, true);
    ids.s2gpuUnpowered = await r(2, 0, 1000, true); // a GPU run without power samples

    await conn.run(`INSERT INTO prices VALUES ('gpu0', 7.2, 'fixture')`);
    // GPU power on the best s2 run: warm-up sample (t < 0) excluded; two GPUs, means 150 W and 50 W.
    for (const [t, proc, w] of [[-100, 'gpu0', 1000], [0, 'gpu0', 100], [500, 'gpu0', 200], [0, 'gpu1', 50]] as const) {
      await conn.run(`INSERT INTO system_samples (run_id, t_ms, process, gpu_power_w) VALUES ($1, $2, $3, $4)`, [ids.s2best0, t, proc, w]);
    }
    await createViews(conn);
  });
});

test('results has one typed column per swept parameter', async () => {
  const { rows } = await query(file, `select "workload.concurrency" as c, "workload.mode" as m, "serving.instances" as i from results where run_id = '${ids.B}'`);
  expect(rows).toEqual([{ c: 2, m: 'concurrency', i: null }]);
});

test('pareto_front: per model and device, the runs nothing beats on both throughput and p99', async () => {
  const { rows } = await query(file, `select run_id from pareto_front where sweep_id = 's1' order by run_id`);
  expect(rows.map((r) => r.run_id)).toEqual([ids.A, ids.B, ids.F].sort());
});

test('best_under_slo: the configuration with the best mean throughput whose every repeat met the SLO', async () => {
  const { rows } = await query(file, `select sweep_id, run_id, job_index, mean_inferences_per_s, repeats from best_under_slo order by sweep_id`);
  expect(rows).toEqual([
    { sweep_id: 's1', run_id: ids.B, job_index: 1, mean_inferences_per_s: 2000, repeats: 1 },
    { sweep_id: 's2', run_id: ids.s2best0, job_index: 1, mean_inferences_per_s: 2100, repeats: 2 },
  ]);
});

test('cost_per_million from the config price, else the prices table, else null', async () => {
  const { rows } = await query(file, `select run_id, price_per_hour, cost_per_million from cost_per_million where run_id in ('${ids.A}', '${ids.B}', '${ids.s2best0}') order by run_id`);
  // 3.6 per hour at 1000/s: 3.6 / 3.6e6 per inference = 1 per million. 7.2 per hour at 2000/s: 1 per million too.
  expect(rows).toEqual([
    { run_id: ids.A, price_per_hour: 3.6, cost_per_million: 1 },
    { run_id: ids.B, price_per_hour: null, cost_per_million: null },
    { run_id: ids.s2best0, price_per_hour: 7.2, cost_per_million: 1 },
  ].sort((a, b) => a.run_id.localeCompare(b.run_id)));
});

test('energy_per_inference from measured power only', async () => {
  const { rows } = await query(file, `select run_id, mean_power_w, joules_per_inference from energy_per_inference where run_id in ('${ids.A}', '${ids.s2best0}') order by run_id`);
  // (100 + 200) / 2 + 50 = 200 W at 2000/s = 0.1 J per inference; no samples, no number.
  expect(rows).toEqual([
    { run_id: ids.A, mean_power_w: null, joules_per_inference: null },
    { run_id: ids.s2best0, mean_power_w: 200, joules_per_inference: 0.1 },
  ].sort((a, b) => a.run_id.localeCompare(b.run_id)));
});

test('cost_per_million and energy_per_inference say why a row has no figure', async () => {
  const reasons = async (view: string) =>
    Object.fromEntries((await query(file, `select run_id, reason from ${view} where run_id in ('${ids.A}', '${ids.B}', '${ids.G}', '${ids.s2best0}', '${ids.s2gpuUnpowered}')`)).rows.map((r) => [r.run_id, r.reason]));
  expect(await reasons('cost_per_million')).toEqual({
    [ids.A]: null,
    [ids.B]: 'no price for device cpu: set target.pricePerHour in the config, or add cpu to the prices table',
    [ids.G]: 'no throughput: the run completed no inference',
    [ids.s2best0]: null,
    [ids.s2gpuUnpowered]: null,
  });
  expect(await reasons('energy_per_inference')).toEqual({
    [ids.A]: 'no power reading: power is read from GPUs only (nvidia-smi); this run ran on cpu',
    [ids.B]: 'no power reading: power is read from GPUs only (nvidia-smi); this run ran on cpu',
    [ids.G]: 'no throughput: the run completed no inference',
    [ids.s2best0]: null,
    [ids.s2gpuUnpowered]: 'no power reading: nvidia-smi reported no power draw during the run',
  });
  // A figure and its reason never both, nor neither.
  const { rows } = await query(file, `select count(*) as n from cost_per_million where (cost_per_million is null) = (reason is null)
                                      union all select count(*) from energy_per_inference where (joules_per_inference is null) = (reason is null)`);
  expect(rows).toEqual([{ n: 0 }, { n: 0 }]);
});
