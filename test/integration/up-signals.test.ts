/**
 * `npx servebench up` started in the background by a script, as the README shows, and stopped by a signal to the
 * process the script knows ($!, npm's): SIGINT and SIGTERM each stop the whole cluster, the dev server included,
 * exit 0, and leave no process and no port behind. While it runs, `run` links to its Web UI.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answers } from '../../workers/devserver';
import { servebench } from '../support/cli';
import { freePort } from '../support/ports';
import { isRunning, processTree } from '../support/process-tree';

const ROOT = join(__dirname, '..', '..');

const TINY = `name: uilink
model: { generate: { family: mlp, layers: 1, hidden: 8, inputShape: [4], dtype: float32, seed: 5 } }
workload: { mode: concurrency, concurrency: 1, warmup: 0s, duration: 300ms }
`;

async function until(what: string, probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const portRefuses = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

interface BackgroundUp {
  npmPid: number;
  home: string;
  address: string;
  uiPort: number;
  log: () => string;
  exitCode: () => string | null;
}

/** `npx servebench up > log 2>&1 &` from a non-interactive shell script (which makes it ignore SIGINT, as scripts do). */
async function startInBackground(extraEnv: NodeJS.ProcessEnv = {}): Promise<BackgroundUp> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-upsig-'));
  const port = await freePort();
  const up: BackgroundUp = {
    npmPid: 0,
    home: join(dir, 'home'),
    address: `127.0.0.1:${port}`,
    uiPort: port + 1000,
    log: () => (existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : ''),
    exitCode: () => (existsSync(join(dir, 'rc')) ? readFileSync(join(dir, 'rc'), 'utf8').trim() : null),
  };
  const script = `npx servebench up > "${dir}/log" 2>&1 & echo $! > "${dir}/pid"; wait $!; echo $? > "${dir}/rc"`;
  spawn('sh', ['-c', script], { cwd: ROOT, env: { ...process.env, ...extraEnv, SERVEBENCH_HOME: up.home, TEMPORAL_ADDRESS: up.address }, stdio: 'ignore' });
  await until('its pid', () => existsSync(join(dir, 'pid')) && readFileSync(join(dir, 'pid'), 'utf8').trim() !== '', 30_000);
  up.npmPid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  await until(`servebench up to come up:\n${up.log()}`, () => up.log().includes('Ctrl-C stops everything') || up.exitCode() !== null, 150_000);
  expect(up.exitCode()).toBeNull();
  return up;
}

/** `exit`: what the script's `wait` sees; `says`: why up says it stops. */
async function stopAndCheck(up: BackgroundUp, signal: 'SIGINT' | 'SIGTERM', expected = { exit: '0', says: `${signal}: shutting down` }): Promise<void> {
  const tree = processTree(up.npmPid);
  expect(tree.some((p) => p.cmdline.includes('server start-dev'))).toBe(true); // the dev server is in the tree
  process.kill(up.npmPid, signal);
  let left: typeof tree;
  try {
    await until(`up to exit after ${signal}:\n${up.log()}`, () => up.exitCode() !== null, 60_000);
    // npm may exit before its descendants have (when its child was a shell that died of the signal).
    await until(`every process of up to exit:\n${up.log()}`, () => tree.every((p) => !isRunning(p.pid)), 60_000);
  } finally {
    // Whatever the outcome, leave nothing running on this shared machine.
    left = tree.filter((p) => isRunning(p.pid));
    for (const p of left) process.kill(p.pid, 'SIGKILL');
  }
  expect(up.log()).toContain(expected.says);
  expect(up.exitCode()).toBe(expected.exit);
  expect(left).toEqual([]);
  expect(await answers(up.address)).toBe(false);
  expect(await portRefuses(Number(up.address.split(':')[1]))).toBe(true);
  expect(await portRefuses(up.uiPort)).toBe(true);
}

test('SIGINT to npx stops the whole cluster; while up runs, run links to its Web UI', async () => {
  const up = await startInBackground();
  try {
    expect(up.log()).toContain(`Web UI:   http://127.0.0.1:${up.uiPort}`);
    const config = join(up.home, 'tiny.yaml');
    writeFileSync(config, TINY);
    const run = await servebench(['run', config, '--id', 'ui-link'], { SERVEBENCH_HOME: up.home, TEMPORAL_ADDRESS: up.address }, 150_000);
    expect(run.stderr).toContain(`watch it in the Temporal UI: http://127.0.0.1:${up.uiPort}/namespaces/default/workflows/ui-link`);
    expect(run.code).toBe(0);
  } catch (err) {
    process.kill(up.npmPid, 'SIGTERM');
    throw err;
  }
  await stopAndCheck(up, 'SIGINT');
});

test('SIGTERM to npx stops the whole cluster', async () => {
  await stopAndCheck(await startInBackground(), 'SIGTERM');
});

test("with npm's default sh between npx and up, SIGTERM still stops the whole cluster: up notices npx is gone", async () => {
  // npm_config_script_shell overrides the project's .npmrc: npm forwards SIGTERM to sh, which dies of it, and npm
  // exits with it (143), leaving up orphaned.
  const up = await startInBackground({ npm_config_script_shell: 'sh' });
  expect(processTree(up.npmPid).some((p) => /^sh -c/.test(p.cmdline))).toBe(true);
  await stopAndCheck(up, 'SIGTERM', { exit: '143', says: 'parent exited: shutting down' });
});
