/**
 * Limits checked before anything starts: the built CLI (`validate`, `run`) and a sweep started from outside the
 * CLI (the plan activity on real workers) refuse loads this host's load generator cannot honour and generated
 * models too large to build, with the YAML path and line, and start nothing: no workflow, no results file.
 */
import { Client, Connection, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { query } from '../../analysis/db';
import { spawnLoadGenerator } from '../../activities/loadgen/loadgen-process';
import { fdSoftLimit } from '../../activities/probe/host-limits';
import { LEADER_QUEUE } from '../../workflows/queues';
import type { sweepWorkflow } from '../../workflows/sweep';
import { servebench } from '../support/cli';
import { useTestCluster } from '../support/workers';

const yaml = (workload: string, extra = '', model = 'generate: { family: mlp, layers: 1, hidden: 8, inputShape: [8] }') =>
  `name: limits\nmodel:\n  ${model}\nworkload:\n${workload}\n  warmup: 100ms\n  duration: 500ms\n${extra}`;

const CASES: { name: string; config: string; message: RegExp }[] = [
  {
    name: 'rate 1e9',
    config: yaml('  mode: server\n  rate: 1e9'),
    message: /: workload\.rate \(line 6\): 1,000,000,000 requests\/s exceed what one load-generator process can send \(at most 100,000: it sends from one JS thread\)$/m,
  },
  {
    name: 'concurrency 100000',
    config: yaml('  mode: concurrency\n  concurrency: 100000'),
    // The limit is this host's (file descriptors or ephemeral ports, whichever is lower); 100,000 exceeds both here.
    message: /: workload\.concurrency \(line 6\): 100,000 connections exceed this host's .+; at most ~[\d,]+$/m,
  },
  {
    name: 'a 10^18-parameter generated model',
    config: yaml('  mode: single-stream', '', 'generate: { family: mlp, layers: 1, hidden: 1000000000, inputShape: [1000000000] }'),
    message: /: model\.generate \(line 3\): model too large: 1,000,000,011,000,000,000 float32 parameters .* exceed ONNX's 2 GiB single-file limit$/m,
  },
  {
    name: 'a swept rate',
    config: yaml('  mode: server\n  rate: 10', 'sweep:\n  workload.rate: [10, 20, 1e9]\n'),
    message: /: sweep\.workload\.rate\[2\] \(line 10\): 1,000,000,000 requests\/s exceed what one load-generator process can send/m,
  },
];

function workspace(config: string): { file: string; home: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-limits-'));
  const file = join(dir, 'limits.yaml');
  writeFileSync(file, config);
  return { file, home: join(dir, '.servebench') };
}

describe.each(CASES)('$name', ({ config, message }) => {
  test('validate exits 2 with the limit, the value and where it was written', async () => {
    const { file, home } = workspace(config);
    const r = await servebench(['validate', file], { SERVEBENCH_HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain(`${file}: `);
    expect(r.stdout).toBe('');
  });

  test('run exits 2 with the same message and starts nothing: no sweep in Temporal, no results file', async () => {
    const { file, home } = workspace(config);
    const id = `limits-${Math.random().toString(36).slice(2, 10)}`;
    // The shared test server answers at TEMPORAL_ADDRESS: a run that got past its checks would start the sweep there.
    const r = await servebench(['run', file, '--id', id], { SERVEBENCH_HOME: home, TEMPORAL_NAMESPACE: 'servebench-cli' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain(`sweep ${id} started`);
    expect(existsSync(join(home, 'results.duckdb'))).toBe(false);
    const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    try {
      const described = new Client({ connection, namespace: 'servebench-cli' }).workflow.getHandle(id).describe();
      await expect(described).rejects.toBeInstanceOf(WorkflowNotFoundError);
    } finally {
      await connection.close();
    }
  });
});

describe('a sweep started from outside the CLI', () => {
  const cluster = useTestCluster();

  test('fails in its plan with the swept value and line, before any job starts', async () => {
    const { config } = CASES[3];
    const err = await cluster.client.workflow
      .execute<typeof sweepWorkflow>('sweepWorkflow', { taskQueue: LEADER_QUEUE, workflowId: 'limits-ui', args: [{ configYaml: config, configFile: 'ui.yaml' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause?.cause as Error & { type?: string };
    expect(cause.type).toBe('InvalidConfig');
    expect(cause.message).toMatch(message(CASES[3].message, 'ui.yaml'));
    // No job workflow was started, and nothing was recorded.
    await expect(cluster.client.workflow.getHandle('limits-ui/j000-r0').describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    const recorded = existsSync(cluster.resultsFile) ? (await query(cluster.resultsFile, `select count(*) as n from jobs where sweep_id = 'limits-ui'`)).rows[0].n : 0;
    expect(recorded).toBe(0);
  });
});

describe('the file-descriptor limit the checks assume', () => {
  const hardLimit = (limits: string) => Number(/^Max open files\s+\S+\s+(\S+)/m.exec(limits)?.[1]);

  test('Node raises its soft limit to the hard limit at start-up, so a low `ulimit -Sn` does not hold', () => {
    const script = `process.stdout.write(require('fs').readFileSync('/proc/self/limits', 'utf8'))`;
    const limits = execFileSync('sh', ['-c', `ulimit -Sn 256 && exec "${process.execPath}" -e "${script}"`], { encoding: 'utf8' });
    expect(fdSoftLimit(limits)).toBe(hardLimit(limits));
  });

  test('the load generator child runs under this process soft limit', async () => {
    const gen = spawnLoadGenerator();
    try {
      // Read it once the child runs its own entry (after exec and Node's start-up), not the fork's copy.
      while (!readFileSync(`/proc/${gen.pid}/cmdline`, 'utf8').includes('loadgen-main')) await new Promise((r) => setTimeout(r, 10));
      expect(fdSoftLimit(readFileSync(`/proc/${gen.pid}/limits`, 'utf8'))).toBe(fdSoftLimit(readFileSync('/proc/self/limits', 'utf8')));
    } finally {
      await gen.kill();
    }
  });
});

/** `pattern` anchored to the line of `file`'s message. */
function message(pattern: RegExp, file: string): RegExp {
  return new RegExp(`^${file.replace('.', '\\.')}${pattern.source}`, 'm');
}
