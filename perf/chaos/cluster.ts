/**
 * The chaos run's cluster, as separate processes on this host: the Temporal dev server on a SQLite file, one
 * leader and two followers (`servebench worker`), each worker kept alive the way an operator's supervisor would
 * (restarted a second after it exits). Every process leads its own process group, so stopping one stops what it
 * started (the built-in server and load generator children), and `killEverything` is safe to call at any time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { startDevServer, type DevServer } from '../../workers/devserver';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'servebench.js'); // from dist/perf/chaos
/** An operator's supervisor waits a moment before restarting (systemd's RestartSec). */
const RESTART_AFTER_MS = 1_000;
/** ...and gives up on a process that keeps dying at once (systemd's StartLimitBurst). */
const QUICK_EXIT_MS = 10_000;
const QUICK_EXITS_LIMIT = 5;

/** Every process group this run started, for the last-resort kill on exit. */
const groups = new Set<number>();

export function spawnTracked(cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  return trackGroup(spawn(cmd, args, { env, stdio: ['ignore', log, log], detached: true }));
}

/**
 * Remembers a group leader (spawned with detached: true) for killEverything. The group is kept after its leader
 * exits: a killed follower's server child must leave by itself (the chaos run checks that), and whatever did not
 * is killed at the end.
 */
export function trackGroup(child: ChildProcess): ChildProcess {
  if (child.pid) groups.add(child.pid);
  return child;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // gone already
  }
}

/** SIGKILL every process group this run started (synchronous: usable in an 'exit' handler). */
export function killEverything(): void {
  for (const pgid of groups) signalGroup(pgid, 'SIGKILL');
}

export const exited = (p: ChildProcess): Promise<void> =>
  p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', () => r())) : Promise.resolve();

/** A worker process under a supervisor: restarted after it exits, until stopped. */
export class Supervised {
  proc: ChildProcess;
  restarts = 0;
  /** Set when it kept dying at once and the supervisor stopped restarting it. */
  gaveUp: string | null = null;
  private stopping = false;
  private quickExits = 0;

  constructor(
    readonly name: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly logDir: string,
    private readonly say: (line: string) => void,
  ) {
    this.proc = this.start();
  }

  private start(): ChildProcess {
    const p = spawnTracked(process.execPath, [BIN, 'worker', ...this.args], this.env, join(this.logDir, `${this.name}.log`));
    const startedAt = Date.now();
    p.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.quickExits = Date.now() - startedAt < QUICK_EXIT_MS && signal !== 'SIGKILL' ? this.quickExits + 1 : 0;
      if (this.quickExits >= QUICK_EXITS_LIMIT) {
        this.gaveUp = `${this.name} exited ${this.quickExits} times in a row right after starting (last: ${signal ?? `code ${code}`}); see ${join(this.logDir, `${this.name}.log`)}`;
        this.say(this.gaveUp);
        return;
      }
      this.say(`${this.name} (pid ${p.pid}) exited (${signal ?? `code ${code}`}); the supervisor restarts it in ${RESTART_AFTER_MS} ms`);
      setTimeout(() => {
        if (this.stopping) return;
        this.restarts++;
        this.proc = this.start();
        this.say(`${this.name} restarted as pid ${this.proc.pid}`);
      }, RESTART_AFTER_MS);
    });
    return p;
  }

  get pid(): number {
    return this.proc.pid ?? 0;
  }

  /** SIGTERM (the worker drains and deregisters), SIGKILL of its group after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    const p = this.proc;
    if (p.exitCode !== null || p.signalCode !== null) return;
    const done = exited(p);
    p.kill('SIGTERM');
    const timer = setTimeout(() => signalGroup(p.pid!, 'SIGKILL'), graceMs);
    await done;
    clearTimeout(timer);
  }
}

export interface TemporalOptions {
  port: number;
  dbFile: string;
  logFile: string;
}

/** The dev server on its SQLite file; restart() stops it and starts it again on the same file and port. */
export class ChaosTemporal {
  private constructor(
    private server: DevServer,
    private readonly opts: TemporalOptions,
  ) {
    track(server);
  }

  static async start(opts: TemporalOptions): Promise<ChaosTemporal> {
    return new ChaosTemporal(await launch(opts), opts);
  }

  get address(): string {
    return this.server.address;
  }

  async restart(): Promise<void> {
    await this.server.stop();
    this.server = await launch(this.opts);
    track(this.server);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}

const launch = (o: TemporalOptions) => startDevServer({ port: o.port, dbFile: o.dbFile, logFile: o.logFile, uiPort: null, readyTimeoutMs: 120_000 });

function track(server: DevServer): void {
  const pid = server.process.pid;
  if (!pid) return;
  // devserver.ts spawns it in our own process group: it is killed by pid, not by group.
  plainPids.add(pid);
  server.process.once('exit', () => plainPids.delete(pid));
}

const plainPids = new Set<number>();

/** SIGKILL the processes that do not lead a group of their own (the Temporal server). */
export function killPlainProcesses(): void {
  for (const pid of plainPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
