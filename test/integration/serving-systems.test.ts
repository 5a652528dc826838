/**
 * Serving systems side by side, for real: the built-in server, Triton (PyTriton), MLServer and a `command`
 * system (the built-in server's entry run as a user's command line) each started by the follower on the device,
 * measured through the real stack (Temporal, onnxruntime, HTTP, DuckDB) and stopped with all they forked.
 * Needs .venv-systems (npm run setup).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMlpModel } from '../../activities/compile/mlp';
import { startSystem } from '../../activities/serve/systems/start-system';
import { parseConfig } from '../../configs/load';
import { query } from '../../analysis/db';
import { compiledScript } from '../../activities/process/pinned-spawn';
import { groupMembers } from '../../activities/process/process-group';
import { startSystemProcess } from '../../activities/serve/systems/system-process';
import { LEADER_QUEUE } from '../../workflows/queues';
import type { sweepWorkflow } from '../../workflows/sweep';
import { useTestCluster } from '../support/workers';
import { freePort } from '../support/ports';

/** Live (non-zombie) processes whose command line contains `needle`. */
function processesWith(needle: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle)) found.push(`${pid}: ${cmd.slice(0, 200)}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** What a system leaves running if it is not stopped whole. */
const SYSTEM_PROCESSES = ['triton_serve.py', 'tritonserver', 'triton_python_backend_stub', 'sb-mlserver-', 'sb-triton-'];

const serverMain = compiledScript(join(__dirname, '../../activities/serve'), 'server-main');
// The built-in server's entry as a user's command: JSON options in one single-quoted word, placeholders inside.
const COMMAND = `${process.execPath} ${serverMain} '{"modelPath":"{model}","modelName":"{name}","port":{port},"instances":{instances},"intraOpThreads":{intraOpThreads},"interOpThreads":{interOpThreads},"batching":{"maxBatchSize":{maxBatchSize},"maxQueueDelayMs":{maxQueueDelayMs}}}'`;

const SWEEP_YAML = `
name: systems
model:
  generate: { family: mlp, layers: 2, hidden: 32, inputShape: [16], dtype: float32, seed: 11 }
serving:
  instances: 1
  batching: { maxBatchSize: 4, maxQueueDelayMs: 1 }
  command: { run: ${JSON.stringify(COMMAND)}, ready: /v2/health/ready }
workload: { mode: concurrency, concurrency: 2, warmup: 300ms, duration: 1500ms }
sweep:
  serving.system: [builtin, triton, mlserver, command]
`;

describe('serving systems side by side', () => {
  const cluster = useTestCluster();

  test('one sweep measures builtin, triton, mlserver and a command on one model; each valid, its system recorded, nothing left running', async () => {
    const result = await cluster.client.workflow.execute<typeof sweepWorkflow>('sweepWorkflow', {
      taskQueue: LEADER_QUEUE,
      workflowId: 'itest-systems',
      args: [{ configYaml: SWEEP_YAML, configFile: 'systems.yaml' }],
    });
    expect(result.jobs.map((j) => [j.params['serving.system'], j.status, j.error])).toEqual([
      ['builtin', 'completed', undefined],
      ['triton', 'completed', undefined],
      ['mlserver', 'completed', undefined],
      ['command', 'completed', undefined],
    ]);
    const runs = await query(
      cluster.resultsFile,
      `select r.serving_system, r.ok, r.errors, r.valid, r.throughput, res."serving.system" as swept,
              r.completed_in_window, r.inflight_at_end,
              s.system as stats_system, s.requests, s.inferences, s.batches, s.queue_mean_us, s.compute_mean_us,
              s.request_mean_us, s.compute_input_mean_us, s.compute_output_mean_us,
              (select sum(count) from server_batch_sizes z where z.run_id = r.run_id) as batch_runs
       from runs r join results res using (run_id) left join server_stats s using (run_id) order by r.run_id`,
    );
    expect(runs.rows.map((r) => [r.serving_system, r.swept, r.valid, r.errors])).toEqual([
      ['builtin', 'builtin', true, 0],
      ['triton', 'triton', true, 0],
      ['mlserver', 'mlserver', true, 0],
      ['command', 'command', true, 0],
    ]);
    for (const r of runs.rows) expect(r.ok as number).toBeGreaterThan(0);
    // Server-side numbers: the built-in server's own window; Triton's and MLServer's Prometheus /metrics as
    // deltas over the window (Triton's batch sizes from its /stats); Triton's /stats behind the command.
    const concurrency = 2;
    for (const r of runs.rows) {
      expect(r.stats_system).toBe(r.serving_system);
      // The window's own, about the client's completions in it: a request in flight at either edge counts on
      // one side only, and a peer's counters are read by an HTTP round trip at each edge while requests keep
      // completing (10% of the window's, on a busy 2-core host).
      const edges = 2 * concurrency + 0.1 * (r.completed_in_window as number);
      expect(Math.abs((r.requests as number) - (r.completed_in_window as number))).toBeLessThanOrEqual(edges);
    }
    for (const r of runs.rows.filter((x) => x.serving_system !== 'mlserver')) {
      expect(r.inferences as number).toBeGreaterThanOrEqual(0.8 * (r.ok as number));
      expect(r.inferences as number).toBeLessThanOrEqual((r.ok as number) + 10);
      expect(r.batches as number).toBeGreaterThan(0);
      expect(r.compute_mean_us as number).toBeGreaterThan(0);
    }
    for (const r of runs.rows.filter((x) => x.serving_system !== 'triton')) expect(r.batch_runs).toBe(r.batches);
    const [triton, mlserver] = ['triton', 'mlserver'].map((sys) => runs.rows.find((r) => r.serving_system === sys)!);
    // Triton's batch sizes (/stats) and model runs (/metrics) are read together at each edge, by two HTTP round
    // trips while model runs go on: they agree up to the runs in flight plus what completes between the two
    // reads (10% of the window's, as above).
    expect(Math.abs((triton.batch_runs as number) - (triton.batches as number))).toBeLessThanOrEqual(2 * concurrency + 0.1 * (triton.batches as number));
    // A request's time in Triton holds its queue wait, its tensor copies and its model run.
    expect(triton.request_mean_us as number).toBeGreaterThanOrEqual((triton.queue_mean_us as number) + (triton.compute_mean_us as number));
    expect(triton.compute_input_mean_us as number).toBeGreaterThan(0);
    expect(triton.compute_output_mean_us as number).toBeGreaterThan(0);
    // MLServer says how many requests and how long each took, and nothing about rows, runs, queue or compute.
    expect(mlserver).toMatchObject({ inferences: null, batches: null, queue_mean_us: null, compute_mean_us: null, compute_input_mean_us: null, batch_runs: null });
    expect(mlserver.request_mean_us as number).toBeGreaterThan(0);
    // The server's time of a request is within the client's mean latency of it.
    const latency = await query(cluster.resultsFile, `select serving_system, lat_mean_ms from runs`);
    for (const r of latency.rows.filter((x) => x.serving_system === 'mlserver' || x.serving_system === 'triton')) {
      const row = runs.rows.find((x) => x.serving_system === r.serving_system)!;
      expect((row.request_mean_us as number) / 1000).toBeLessThan(r.lat_mean_ms as number);
    }
    // Every system's processes are gone: Triton's server and Python stubs, MLServer, the command's server.
    for (const needle of [...SYSTEM_PROCESSES, cluster.home]) expect(processesWith(needle)).toEqual([]);
  });

  test('a sweep cancelled while Triton serves its job stops Triton, its server and Python stubs', async () => {
    const yaml = SWEEP_YAML.replace('name: systems', 'name: cancelled').replace('duration: 1500ms', 'duration: 60s').replace(/sweep:[\s\S]*$/, '').replace('instances: 1', 'instances: 1\n  system: triton');
    const handle = await cluster.client.workflow.start<typeof sweepWorkflow>('sweepWorkflow', {
      taskQueue: LEADER_QUEUE,
      workflowId: 'itest-systems-cancel',
      args: [{ configYaml: yaml, configFile: 'cancelled.yaml' }],
    });
    // Measuring: Triton's Python stub runs, and the load generator has been at it a while.
    await until(() => processesWith('triton_python_backend_stub').length > 0, 120_000, 'Triton never started');
    await new Promise((r) => setTimeout(r, 3_000));
    const cancelledAt = Date.now();
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    await until(() => SYSTEM_PROCESSES.every((n) => processesWith(n).length === 0), 30_000, () => `still running: ${SYSTEM_PROCESSES.flatMap(processesWith).join('; ')}`);
    expect(Date.now() - cancelledAt).toBeLessThan(30_000); // long before the 60 s measurement would have ended
  });
});

/** Polls `ok` every 200 ms; throws `why` after `ms`. */
async function until(ok: () => boolean, ms: number, why: string | (() => string)): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(typeof why === 'string' ? why : why());
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a peer system on a device', () => {
  test("MLServer with parallel workers runs wholly on the device's cores, serves the model, counts its requests in /metrics, and stops with its workers", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-systems-'));
    const modelPath = join(dir, 'mlp.onnx');
    writeFileSync(modelPath, buildMlpModel({ family: 'mlp', layers: 1, hidden: 16, inputShape: [8], outputSize: 4, dtype: 'float32', seed: 5 }).bytes);
    const model = { path: modelPath, modelName: 'mlp_pinned', inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 8] }], outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 4] }] };
    const { serving } = parseConfig(
      'name: p\nmodel: { path: m.onnx }\nserving: { system: mlserver, instances: 2, batching: { maxBatchSize: 4, maxQueueDelayMs: 1 } }\nworkload: { mode: concurrency, concurrency: 1 }\n',
      'p.yaml',
    );
    const sys = await startSystem(serving, model, '0');
    try {
      const members = groupMembers(sys.pid);
      expect(members.length).toBeGreaterThanOrEqual(3); // the server and its 2 parallel workers
      for (const pid of members) expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/Cpus_allowed_list:\s+0\n/);
      expect(sys.meta.inputs).toEqual([{ name: 'input', datatype: 'FP32', shape: [-1, 8] }]);
      const res = await fetch(`${sys.url}/v2/models/mlp_pinned/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 8], data: Array.from({ length: 16 }, (_, i) => i / 16) }] }),
      });
      expect(res.status).toBe(200);
      const out = (await res.json()) as { outputs: { name: string; shape: number[]; data: number[] }[] };
      expect(out.outputs[0]).toMatchObject({ name: 'output', shape: [2, 4] });
      expect(out.outputs[0].data.every(Number.isFinite)).toBe(true);
      // Its /metrics in multiprocess form (aggregated over the workers): a window of 5 requests counts 5.
      await sys.markWindowStart();
      for (let i = 0; i < 5; i++) {
        const r = await fetch(`${sys.url}/v2/models/mlp_pinned/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: new Array(8).fill(0.5) }] }) });
        expect(r.status).toBe(200);
      }
      const stats = await sys.stats();
      expect(stats).toMatchObject({ requests: 5, inferences: null, batches: null, queueTimeUs: { mean: null } });
      expect(stats!.requestTimeUs!.mean!).toBeGreaterThan(0);
    } finally {
      await sys.stop();
    }
    expect(groupMembers(sys.pid)).toEqual([]);
    expect(processesWith('sb-mlserver-')).toEqual([]);
  });
});

describe('a peer system that loses its port', () => {
  test('is started again on other ports', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'sb-port-')), 'failed-once');
    // Fails once as a server whose port was taken meanwhile, then serves metadata on the port it is given.
    const js = [
      'const fs = require("node:fs"); const [marker, port] = process.argv.slice(1);',
      'if (!fs.existsSync(marker)) { fs.writeFileSync(marker, port); console.error("listen EADDRINUSE: address already in use 127.0.0.1:" + port); process.exit(1); }',
      'const meta = { name: "m", inputs: [{ name: "input", datatype: "FP32", shape: [-1, 8] }], outputs: [] };',
      'require("node:http").createServer((q, s) => s.end(JSON.stringify(meta))).listen(Number(port), "127.0.0.1");',
    ].join(' ');
    const serving = {
      system: 'command', command: { run: `${process.execPath} -e '${js}' ${marker} {port}`, ready: '/' },
      instances: 1, intraOpThreads: 1, interOpThreads: 1, executionProvider: 'cpu', protocol: 'http',
    } as const;
    const sys = await startSystem(serving, { path: '/unused.onnx', modelName: 'm', inputs: [], outputs: [] }, '0');
    try {
      expect(sys.meta.name).toBe('m');
      expect(sys.url).not.toBe(`http://127.0.0.1:${readFileSync(marker, 'utf8')}`); // a second port
    } finally {
      await sys.stop();
    }
  });
});

describe('a system process group', () => {
  // A server that forks a helper (as Triton and MLServer do) and ignores SIGTERM in the helper.
  const forking = (port: number) => [
    '-e',
    `const { spawn } = require('node:child_process');
     spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)', 'sb-group-helper-${port}'], { stdio: 'ignore' });
     require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1');`,
    `sb-group-leader-${port}`,
  ];

  test('stop ends the server and everything it forked, even what ignores SIGTERM', async () => {
    const port = await freePort();
    const proc = await startSystemProcess({ system: 'test', cmd: process.execPath, args: forking(port), readyUrl: `http://127.0.0.1:${port}/` }, { stopGraceMs: 1_000 });
    await new Promise((r) => setTimeout(r, 300)); // let the helper start
    expect(groupMembers(proc.pid).length).toBe(2);
    await proc.stop();
    expect(groupMembers(proc.pid)).toEqual([]);
    expect(processesWith(`sb-group-helper-${port}`)).toEqual([]);
  });

  test('a start cancelled while waiting for readiness leaves nothing running', async () => {
    const port = await freePort();
    const ac = new AbortController();
    // Never ready: the readiness URL is on another port.
    const started = startSystemProcess({ system: 'test', cmd: process.execPath, args: forking(port), readyUrl: `http://127.0.0.1:${await freePort()}/` }, { signal: ac.signal, stopGraceMs: 1_000 });
    setTimeout(() => ac.abort(), 800);
    await expect(started).rejects.toThrow('test: start cancelled');
    expect(processesWith(`sb-group-leader-${port}`)).toEqual([]);
    expect(processesWith(`sb-group-helper-${port}`)).toEqual([]);
  });

  test('a server that exits before it is ready fails with its own log tail', async () => {
    const started = startSystemProcess({
      system: 'test',
      cmd: process.execPath,
      args: ['-e', 'console.error("cannot load model.onnx: bad magic"); process.exit(3)'],
      readyUrl: `http://127.0.0.1:${await freePort()}/`,
    });
    await expect(started).rejects.toThrow(/^test exited \(code 3\) before it was ready; its log ends:\ncannot load model.onnx: bad magic$/);
  });
});
