/**
 * Devices as core sets, with real processes: on a 2-core host split into cpu0 (core 0) and cpu1 (core 1), a
 * measurement's server and load-generator children run pinned to their device's core, a compile runs pinned to
 * one free core, and a compile started while both devices measure waits until one of them ends. The activity
 * functions run in MockActivityEnvironment (no Temporal server); the children need the build (`npm run build`).
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../../configs/load';
import { jobRow, runRow } from '../../activities/analysis/record';
import { createClusterActivities, createDeviceActivities } from '../../activities/follower';
import { parseDevices } from '../../activities/probe/devices';
import { NodeLedger } from '../../activities/probe/node-ledger';
import { onPath } from '../../activities/process/pinned-spawn';
import type { CompileResult, MeasureResult } from '../../activities/types';
import type { Config } from '../../configs/schema';

const NO_TASKSET = onPath('taskset') === undefined;
const FEW_CORES = cpus().length < 2;
if (NO_TASKSET) console.warn('pinning.test: taskset (util-linux) is not on PATH: the pinning tests are skipped');
else if (FEW_CORES) console.warn(`pinning.test: this host has ${cpus().length} core; two devices need 2: the pinning tests are skipped`);
const maybe = NO_TASKSET || FEW_CORES ? test.skip : test;

const config = (seed: number, duration: string): Config =>
  parseConfig(
    `name: pin
model:
  generate: { family: mlp, layers: 2, hidden: 32, inputShape: [16], dtype: float32, seed: ${seed} }
serving: { instances: 1, intraOpThreads: 1 }
workload: { mode: concurrency, concurrency: 1, warmup: 200ms, duration: ${duration} }
`,
    'pin.yaml',
  );

let cacheDir: string;
let ledger: NodeLedger;
const [cpu0, cpu1] = parseDevices(['cpu0', 'cpu1'], 2, []);

beforeEach(() => {
  cacheDir = mkdtempSync(path.join(tmpdir(), 'sb-pin-'));
  ledger = new NodeLedger({ cores: cpus().length });
});
afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

const ctx = () => ({ cluster: 'local', node: 'pinnode', cacheDir, ledger });
const run = <I, O>(fn: (input: I) => Promise<O>, input: I): Promise<O> => new MockActivityEnvironment().run(fn, input);
const compile = (c: Config, jobId: string): Promise<CompileResult> => run(createClusterActivities(ctx()).compile, { jobId, config: c });
const measure = (device: typeof cpu0, c: Config, jobId: string, artifact: CompileResult['artifact']): Promise<MeasureResult> =>
  run(createDeviceActivities({ ...ctx(), device }).measure, { jobId, config: c, artifact });

/**
 * Children of this process that earlier test files left (idle load generators their followers kept for a next
 * measurement, which exit with this process): not this file's to judge.
 */
let before = new Set<string>();
beforeAll(() => {
  before = new Set([...children('loadgen-main'), ...children('server-main')].map((c) => c.pid));
});

/** This process's children (started by this file's tests) whose command line names `entry`, with the CPUs each may run on. */
function children(entry: string): { pid: string; cpus: string }[] {
  const out: { pid: string; cpus: string }[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (before.has(pid)) continue;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (/^PPid:\s+(\d+)$/m.exec(status)?.[1] !== String(process.pid)) continue;
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(entry)) continue;
      out.push({ pid, cpus: /^Cpus_allowed_list:\s+(\S+)$/m.exec(status)![1] });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function until(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !cond(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

maybe('a measurement on cpu0 pins its server and its load-generator child to core 0', async () => {
  const compiled = await compile(config(1, '2s'), 'pin/j0');
  // Nothing else ran: the compile took the lowest free core.
  expect(compiled).toMatchObject({ node: 'pinnode', cores: [0], pinned: true });

  const result = measure(cpu0, config(1, '2s'), 'pin/j0', compiled.artifact);
  let seen: { server: string[]; loadgen: string[] } = { server: [], loadgen: [] };
  await until('the server and the load generator', () => {
    seen = { server: children('server-main').map((c) => c.cpus), loadgen: children('loadgen-main').map((c) => c.cpus) };
    return seen.server.length > 0 && seen.loadgen.length > 0;
  });
  expect(seen).toEqual({ server: ['0'], loadgen: ['0'] });

  const r = await result;
  expect(r).toMatchObject({ device: 'cpu0', cores: [0], pinned: true, concurrent: [] });
  expect(r.load.ok).toBeGreaterThan(10);
  // The sampler follows the load generator's child, not this process.
  const loadgen = r.samples.filter((s) => s.process === 'loadgen');
  expect(loadgen.length).toBeGreaterThan(0);
  expect(loadgen.every((s) => s.rssBytes !== null && s.rssBytes > 0)).toBe(true);
  // The server is stopped; the load generator, after a clean run, is kept (idle, still pinned) for the device's
  // next measurement.
  expect(children('server-main')).toEqual([]);
  expect(children('loadgen-main').map((c) => c.cpus)).toEqual(['0']);

  // The results rows say where it ran and that nothing else did.
  const job = { jobId: 'pin/j0', index: 0, repeat: 0, params: {}, config: config(1, '2s') };
  const outcome = { sweepId: 'pin', job, status: 'completed' as const, compile: compiled, measure: r };
  expect(jobRow(outcome, new Date().toISOString())).toMatchObject({ device: 'cpu0' });
  expect(runRow(outcome)).toMatchObject({ device_cores: '0', device_pinned: true, concurrent_on_node: '[]' });
});

maybe('a compile started while cpu0 and cpu1 both measure waits until one ends, then takes its core', async () => {
  const { artifact } = await compile(config(2, '1s'), 'pin/shared');
  // The long one outlasts the short one by far more than any stall of a busy host (another job pinned to core 0
  // once held the short one back 3.5 s, and the compile then found core 1 free first).
  const short = measure(cpu0, config(2, '1500ms'), 'pin/short', artifact);
  const long = measure(cpu1, config(2, '20s'), 'pin/long', artifact);
  await until('both measurements holding their cores', () => ledger.holders([0, 1]).filter((a) => a.kind === 'measure').length === 2);

  // A model not in the cache, so the compile really runs.
  const compiling = compile(config(3, '1s'), 'pin/late');
  const [s, l, c] = await Promise.all([short, long, compiling]);

  expect(c.cores).toEqual([0]);
  expect(c.waitedMs!).toBeGreaterThan(0);
  expect(Date.parse(c.startedAt)).toBeGreaterThanOrEqual(Date.parse(s.finishedAt));
  expect(Date.parse(c.startedAt)).toBeLessThan(Date.parse(l.finishedAt));
  // Each measurement records what else ran on the node meanwhile.
  expect(s.concurrent.map((a) => `${a.kind} ${a.jobId}`)).toEqual(['measure pin/long']);
  expect(l.concurrent.map((a) => `${a.kind} ${a.jobId}`)).toEqual(['measure pin/short', 'compile pin/late']);
  expect(l.concurrent[1]).toMatchObject({ cores: [0], startedAt: c.startedAt });
});

maybe('cancelling a measurement aborts the load-generator child and stops both children', async () => {
  const { artifact } = await compile(config(4, '1s'), 'pin/cancel');
  const env = new MockActivityEnvironment();
  // The load is running once the heartbeat carries the load generator's progress (an idle generator kept from an
  // earlier measurement exists before that, so its process alone says nothing).
  let loading = false;
  env.on('heartbeat', (d: unknown) => {
    if (typeof d === 'object' && d !== null && 'phase' in d) loading = true;
  });
  const result = env.run(createDeviceActivities({ ...ctx(), device: cpu1 }).measure, { jobId: 'pin/cancel', config: config(4, '30s'), artifact });
  await until('the load generator running', () => loading);
  env.cancel();
  await expect(result).rejects.toBeInstanceOf(CancelledFailure);
  // The cancelled run's generator (core 1) is killed with its server; only the idle one kept on core 0 remains.
  expect(children('server-main')).toEqual([]);
  expect(children('loadgen-main').map((c) => c.cpus)).not.toContain('1');
  expect(ledger.holders([0, 1])).toEqual([]);
});

test('a bad model fails the pinned compile as a non-retryable InvalidModel, across the process boundary', async () => {
  const garbage = path.join(cacheDir, 'garbage.onnx');
  writeFileSync(garbage, 'not a model');
  const bad = parseConfig(`name: bad\nmodel: { path: ${garbage} }\nworkload: { mode: single-stream, duration: 1s }\n`, 'bad.yaml');
  const err = await compile(bad, 'pin/bad').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ type: 'InvalidModel', nonRetryable: true });
  expect(ledger.holders([0, 1])).toEqual([]);
});
