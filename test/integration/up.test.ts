/**
 * `servebench up` as the README describes it: the one-host cluster comes up, a sweep started from outside
 * servebench (the Temporal CLI, as from the UI) runs on it with its YAML as input, and Ctrl-C stops it cleanly.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { query } from '../../analysis/db';
import { LEADER_QUEUE } from '../../workflows/queues';
import { progressQuery } from '../../workflows/signals';
import type { sweepWorkflow } from '../../workflows/sweep';
import { answers } from '../../workers/devserver';
import { findTemporalCli } from '../../workers/temporal-cli';
import { freePort } from '../support/ports';

const BIN = join(__dirname, '..', '..', 'bin', 'servebench.js');

interface Up {
  stderr: () => string;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** Starts `servebench up` and resolves once it says it is up. */
async function startUp(home: string, address: string): Promise<Up> {
  const proc = spawn(process.execPath, [BIN, 'up'], {
    env: { ...process.env, SERVEBENCH_HOME: home, TEMPORAL_ADDRESS: address },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`servebench up did not come up:\n${stderr}`)), 120_000);
    proc.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes('Ctrl-C stops everything')) {
        clearTimeout(timer);
        res();
      }
    });
    void exited.then((code) => rej(new Error(`servebench up exited with ${code}:\n${stderr}`)));
  });
  return {
    stderr: () => stderr,
    exited,
    stop: () => {
      proc.kill('SIGINT');
      return exited;
    },
  };
}

test('up serves sweeps started with `temporal workflow execute`, and stops on SIGINT', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sb-up-'));
  const address = `127.0.0.1:${await freePort()}`;
  const up = await startUp(home, address);
  try {
    expect(up.stderr()).toMatch(/Web UI: +http:\/\/127\.0\.0\.1:\d+/);

    const yaml = readFileSync(join(__dirname, '..', '..', 'configs', 'quickstart.yaml'), 'utf8')
      .replace('warmup: 1s', 'warmup: 200ms')
      .replace('duration: 3s', 'duration: 500ms');
    const input = join(home, 'input.json');
    writeFileSync(input, JSON.stringify({ configYaml: yaml }));
    const temporal = (args: string[]) => promisify(execFile)(findTemporalCli(), [...args, '--address', address], { timeout: 120_000 });
    const run = await temporal(['workflow', 'execute', '--type', 'sweepWorkflow', '--task-queue', 'servebench.leader', '--workflow-id', 'from-temporal-cli', '--input-file', input]);
    expect(run.stdout).toMatch(/Status\s+COMPLETED/);

    // Search attributes make sweeps findable in the UI and the CLI.
    // Visibility is eventually consistent: give the index a few seconds.
    let found: string[] = [];
    for (let i = 0; i < 20 && found.length === 0; i++) {
      const list = await temporal(['workflow', 'list', '--query', 'ServebenchSweep = "quickstart" AND ServebenchStatus = "completed"', '-o', 'json']);
      found = (JSON.parse(list.stdout || '[]') as { execution: { workflowId: string } }[]).map((w) => w.execution.workflowId);
      if (found.length === 0) await new Promise((r) => setTimeout(r, 500));
    }
    expect(found).toEqual(['from-temporal-cli']);
  } finally {
    await up.stop();
  }
  expect(await up.exited).toBe(0);
  expect(await answers(address)).toBe(false);
  const runs = await query(join(home, 'results.duckdb'), `select count(*) as n from runs where sweep_id = 'from-temporal-cli'`);
  expect(runs.rows).toEqual([{ n: 4 }]);
});

test('a sweep survives stopping and restarting the whole stack: every job recorded exactly once', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sb-resume-'));
  const address = `127.0.0.1:${await freePort()}`;
  const yaml = readFileSync(join(__dirname, '..', '..', 'configs', 'quickstart.yaml'), 'utf8')
    .replace('warmup: 1s', 'warmup: 200ms')
    .replace('duration: 3s', 'duration: 1500ms');
  let up = await startUp(home, address);
  let connection = await Connection.connect({ address });
  const handle = await new Client({ connection }).workflow.start<typeof sweepWorkflow>('sweepWorkflow', {
    taskQueue: LEADER_QUEUE,
    workflowId: 'resume-sweep',
    args: [{ configYaml: yaml }],
  });
  try {
    // Stop everything (server included) once some but not all jobs are done.
    for (let i = 0; (await handle.query(progressQuery)).done < 1; i++) {
      if (i > 600) throw new Error('no job finished');
      await new Promise((r) => setTimeout(r, 100));
    }
    await connection.close();
    expect(await up.stop()).toBe(0);
    expect(await answers(address)).toBe(false);

    up = await startUp(home, address);
    connection = await Connection.connect({ address });
    const result = await new Client({ connection }).workflow.getHandle<typeof sweepWorkflow>('resume-sweep').result();
    expect(result.jobs.map((j) => j.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
  } finally {
    await connection.close();
    await up.stop();
  }
  const rows = await query(join(home, 'results.duckdb'), 'select (select count(*) from jobs) as jobs, (select count(distinct run_id) from runs) as runs, (select count(*) from runs) as rows');
  expect(rows.rows).toEqual([{ jobs: 4, runs: 4, rows: 4 }]);
});
