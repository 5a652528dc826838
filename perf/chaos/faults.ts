/**
 * The six faults of `npm run chaos`, each timed into its phase by watching the sweep, never by sleeping alone:
 * Temporal says which worker runs a job's measure or recordJob attempt (pending activities: attempt start, worker
 * identity `pid@host`), and /proc says what that worker runs (its built-in server child listening, its load
 * generator child). Heartbeat details are no help here: the SDK forwards them to the server only every few seconds.
 * Each returns the Fault it inflicted: when, which jobs it hit, what else is worth printing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { exited, trackGroup, type ChaosTemporal, type Supervised } from './cluster';
import { childrenOf, cmdline, listeningPorts } from './procfs';
import type { Fault } from './verdict';
import type { PendingActivity, SweepWatch } from './watch';

export interface ChaosContext {
  watch: SweepWatch;
  leader: Supervised;
  followers: Supervised[];
  temporal: ChaosTemporal;
  resultsFile: string;
  logDir: string;
  say: (line: string) => void;
}

export interface FaultSpec {
  name: string;
  inflict(ctx: ChaosContext): Promise<Fault>;
}

/** How long the fault waits for the phase it needs before it gives up (it then hit nothing: the run fails). */
const FIND_TIMEOUT_MS = 180_000;
/** How long the results file's write lock is held. */
export const LOCK_HOLD_MS = 8_000;

const HOLDER = join(__dirname, 'holder.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const missed = (name: string, why: string): Fault => ({ name, startMs: Date.now(), endMs: Date.now(), jobs: [], note: `(${why})` });

const followerWith = (ctx: ChaosContext, pid: number | null) => ctx.followers.find((f) => pid !== null && f.pid === pid);

/**
 * A measurement under load: Temporal has its attempt running on a follower, and that follower's built-in server
 * child listens and its load generator child runs (it starts once the server answers, and stops with the load).
 */
const measuringWithServer = (ctx: ChaosContext) => (a: PendingActivity) => {
  const follower = followerWith(ctx, a.workerPid);
  if (a.activity !== 'measure' || a.startedMs === null || !follower) return undefined;
  const children = childrenOf(follower.pid);
  const servers = children.filter((pid) => cmdline(pid).includes('server-main') && listeningPorts(pid).length > 0);
  const loading = children.some((pid) => cmdline(pid).includes('loadgen-main'));
  return servers.length === 1 && loading ? { job: a, follower, server: servers[0] } : undefined;
};
const measuring = (ctx: ChaosContext) => (a: PendingActivity) => measuringWithServer(ctx)(a)?.job;

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}

/** holder.js with a pipe on stdout: resolves with the child and the time it printed `held`. */
function startHolder(args: string[]): Promise<{ child: ChildProcess; heldAt: number }> {
  const child = trackGroup(spawn(process.execPath, [HOLDER, ...args], { stdio: ['ignore', 'pipe', 'inherit'], detached: true }));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.includes('held\n')) resolve({ child, heldAt: Date.now() });
    });
    child.once('exit', (code) => reject(new Error(`holder ${args.join(' ')} exited (${code}) before it held anything`)));
  });
}

export const FAULTS: FaultSpec[] = [
  {
    name: 'follower-sigkill-mid-measure',
    async inflict(ctx) {
      const hit = await ctx.watch.until('a measurement', measuringWithServer(ctx), { timeoutMs: FIND_TIMEOUT_MS });
      if (!hit) return missed(this.name, 'no measurement found');
      const pid = hit.follower.pid;
      kill(pid, 'SIGKILL');
      const at = Date.now();
      // Its server child notices the parent is gone (IPC disconnect) and exits: nothing keeps the device busy.
      let orphan = true;
      for (let i = 0; i < 200 && (orphan = cmdline(hit.server).includes('server-main')); i++) await sleep(50);
      return { name: this.name, startMs: at, endMs: at, jobs: [hit.job.jobId], note: `follower=${hit.follower.name} pid=${pid} server_orphaned=${orphan ? 1 : 0}` };
    },
  },
  {
    name: 'leader-sigkill-mid-record',
    async inflict(ctx) {
      const deadline = Date.now() + FIND_TIMEOUT_MS;
      // Follow a job that measures until its record starts, then kill the leader running the record.
      while (Date.now() < deadline) {
        const job = await ctx.watch.until('a measurement', (a) => measuring(ctx)(a)?.jobId, { timeoutMs: deadline - Date.now() });
        if (!job) break;
        const until = Date.now() + 60_000;
        while (Date.now() < until) {
          const pending = await ctx.watch.pending(job);
          const record = pending.find((a) => a.activity === 'recordJob' && a.startedMs !== null && a.workerPid === ctx.leader.pid);
          if (record) {
            const pid = ctx.leader.pid;
            kill(pid, 'SIGKILL');
            const at = Date.now();
            return { name: this.name, startMs: at, endMs: at, jobs: [job], note: `leader_pid=${pid} record_attempt=${record.attempt}` };
          }
          if (ctx.watch.closed.has(job)) break; // recorded between two looks: follow another job
          await sleep(20);
        }
      }
      return missed(this.name, 'no record caught running');
    },
  },
  {
    name: 'temporal-restart',
    async inflict(ctx) {
      const hit = await ctx.watch.until('a measurement', measuring(ctx), { timeoutMs: FIND_TIMEOUT_MS });
      if (!hit) return missed(this.name, 'no measurement found');
      // Hit: every job with an activity attempt running (a job queued for a device has nothing to resume).
      const jobs: string[] = [];
      for (const job of await ctx.watch.runningJobs()) if ((await ctx.watch.pending(job)).some((a) => a.startedMs !== null)) jobs.push(job);
      const at = Date.now();
      await ctx.temporal.restart();
      return { name: this.name, startMs: at, endMs: at, jobs, note: `restart_s=${((Date.now() - at) / 1000).toFixed(1)} (same SQLite file and port)` };
    },
  },
  {
    name: 'results-write-lock',
    async inflict(ctx) {
      // A measurement in its window: its record comes while the lock is held.
      const hit = await ctx.watch.until('a measurement', measuring(ctx), { timeoutMs: FIND_TIMEOUT_MS });
      if (!hit) return missed(this.name, 'no measurement found');
      const { child, heldAt } = await startHolder(['lock', ctx.resultsFile, String(LOCK_HOLD_MS)]);
      const jobs = new Set<string>();
      const done = exited(child);
      let over = false;
      void done.then(() => (over = true));
      // Hit: every job whose record is pending while the lock is held.
      while (!over) {
        for (const job of await ctx.watch.runningJobs()) if ((await ctx.watch.pending(job)).some((a) => a.activity === 'recordJob')) jobs.add(job);
        await Promise.race([done, sleep(200)]);
      }
      const endMs = Date.now();
      return { name: this.name, startMs: heldAt, endMs, jobs: [...jobs], note: `held_s=${((endMs - heldAt) / 1000).toFixed(1)} by pid ${child.pid}` };
    },
  },
  {
    name: 'server-port-occupied',
    async inflict(ctx) {
      // The port a built-in server listens on, taken by another process as soon as that server lets it go;
      // the next built-in server to start must still start (it binds port 0: the kernel picks a free one).
      const hit = await ctx.watch.until('a served measurement', measuringWithServer(ctx), { timeoutMs: FIND_TIMEOUT_MS });
      if (!hit) return missed(this.name, 'no measurement found');
      const port = listeningPorts(hit.server)[0];
      if (port === undefined) return missed(this.name, `server ${hit.server} listens on no port`);
      const { child, heldAt } = await startHolder(['port', String(port)]);
      // Hit: the next measurement to start a server after the port was taken.
      const next = await ctx.watch.until('the next served measurement', (a) => {
        const m = measuringWithServer(ctx)(a);
        return m && a.startedMs !== null && a.startedMs >= heldAt ? m : undefined;
      }, { timeoutMs: FIND_TIMEOUT_MS });
      if (!next) {
        kill(-child.pid!, 'SIGKILL');
        return missed(this.name, `port ${port} taken, but no server started afterwards`);
      }
      const nextPort = listeningPorts(next.server)[0];
      await ctx.watch.waitMoved([next.job.jobId], heldAt, 120_000);
      kill(-child.pid!, 'SIGKILL');
      return { name: this.name, startMs: heldAt, endMs: heldAt, jobs: [next.job.jobId], note: `port=${port} held_by_pid=${child.pid} next_server_port=${nextPort ?? 'none'}` };
    },
  },
  {
    name: 'server-child-sigkill',
    async inflict(ctx) {
      const hit = await ctx.watch.until('a served measurement', measuringWithServer(ctx), { timeoutMs: FIND_TIMEOUT_MS });
      if (!hit) return missed(this.name, 'no measurement found');
      kill(hit.server, 'SIGKILL');
      const at = Date.now();
      return { name: this.name, startMs: at, endMs: at, jobs: [hit.job.jobId], note: `server_pid=${hit.server} follower=${hit.follower.name}` };
    },
  },
];
