/**
 * What runs on which cores of this node: the follower's interference control. A measurement holds its device's
 * cores exclusively (no compile, no other measurement on them; only measurements on GPU devices may share host
 * cores, their GPU being what they measure), and a cluster-tier compile takes one core nobody holds. Claims are
 * granted in arrival order, except that a claim may pass a blocked earlier one that wants none of its cores; a
 * blocked claim reserves its cores so a stream of later claims cannot starve it. Every grant is logged, so a
 * measurement can say what else ran on this node while it did. Pure: no I/O, injectable clock.
 */

export interface NodeActivity {
  kind: 'compile' | 'measure';
  jobId: string;
  /** The device measured on, or the device a single-tier compile ran on. */
  device?: string;
  cores: number[];
  startedAt: string;
  finishedAt: string | null;
}

export interface ClaimOptions {
  /** Aborting a waiting claim withdraws it and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The device a compile runs on (single tier). */
  device?: string;
  /** A measurement on a GPU device: may share cores with other GPU measurements. */
  gpu?: boolean;
}

export interface Claim {
  /** The cores granted. */
  readonly cores: number[];
  /** This claim's log entry (a copy). */
  readonly activity: NodeActivity;
  /** Frees the cores; idempotent. Returns the finished log entry. */
  release(): NodeActivity;
}

export interface LedgerOptions {
  /** Cores of the node: 0 .. cores-1. */
  cores: number;
  /** ms since the epoch. */
  now?: () => number;
  /** How long finished activities stay queryable once no live claim predates them. Default 15 min. */
  retainMs?: number;
}

interface Held {
  entry: NodeActivity;
  shared: boolean;
}

interface Waiter {
  kind: NodeActivity['kind'];
  jobId: string;
  device?: string;
  /** null: any one free core. */
  cores: number[] | null;
  shared: boolean;
  grant(cores: number[]): void;
}

const copy = (a: NodeActivity): NodeActivity => ({ ...a, cores: [...a.cores] });
const toMs = (t: string | number | Date): number => (typeof t === 'number' ? t : new Date(t).getTime());

export class NodeLedger {
  readonly cores: number;
  private readonly now: () => number;
  private readonly retainMs: number;
  private readonly held: Held[][];
  private readonly waiters: Waiter[] = [];
  private log: NodeActivity[] = [];

  constructor(opts: LedgerOptions) {
    if (!Number.isInteger(opts.cores) || opts.cores < 1) throw new Error(`a node has at least one core, got ${opts.cores}`);
    this.cores = opts.cores;
    this.now = opts.now ?? Date.now;
    this.retainMs = opts.retainMs ?? 15 * 60_000;
    this.held = Array.from({ length: opts.cores }, () => []);
  }

  /** Waits until nothing else holds any of `cores` (other GPU measurements aside, for a GPU device), then holds them. */
  async claimMeasure(jobId: string, device: string, cores: number[], opts: Omit<ClaimOptions, 'device'> = {}): Promise<Claim> {
    return this.enqueue({ kind: 'measure', jobId, device, cores: this.check(cores, `measure ${jobId} on ${device}`), shared: opts.gpu === true }, opts.signal);
  }

  /** With `cores` (single tier: the device's own), waits for exactly those; without, for one core nobody holds (lowest first). */
  async claimCompile(jobId: string, cores?: number[], opts: Omit<ClaimOptions, 'gpu'> = {}): Promise<Claim> {
    const wanted = cores === undefined ? null : this.check(cores, `compile ${jobId}`);
    return this.enqueue({ kind: 'compile', jobId, device: opts.device, cores: wanted, shared: false }, opts.signal);
  }

  /** Everything that held cores at some point in [from, to], but `except` (the asking activity itself). */
  overlapping(from: string | number | Date, to: string | number | Date, except?: NodeActivity): NodeActivity[] {
    const lo = toMs(from);
    const hi = toMs(to);
    const now = this.now();
    return this.log
      // Strict: one claim handed over to the next in the same millisecond did not run alongside it.
      .filter((a) => !sameActivity(a, except) && toMs(a.startedAt) < hi && (a.finishedAt === null ? now : toMs(a.finishedAt)) > lo)
      .map(copy);
  }

  /** What holds any of `cores` now (for progress messages). */
  holders(cores: readonly number[]): NodeActivity[] {
    const out = new Set<NodeActivity>();
    for (const c of cores) for (const h of this.held[c] ?? []) out.add(h.entry);
    return [...out].map(copy);
  }

  /** Claims waiting now. */
  get waiting(): number {
    return this.waiters.length;
  }

  private check(cores: number[], what: string): number[] {
    const sorted = [...new Set(cores)].sort((a, b) => a - b);
    if (sorted.length === 0) throw new Error(`${what}: no cores`);
    const bad = sorted.filter((c) => !Number.isInteger(c) || c < 0 || c >= this.cores);
    if (bad.length > 0) throw new Error(`${what}: core ${bad.join(', ')} not on this node (cores 0-${this.cores - 1})`);
    return sorted;
  }

  private enqueue(w: Omit<Waiter, 'grant'>, signal?: AbortSignal): Promise<Claim> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<Claim>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i < 0) return;
        this.waiters.splice(i, 1);
        reject(abortReason(signal!));
        this.pump(); // its reservation is gone: later claims may now fit
      };
      const waiter: Waiter = {
        ...w,
        grant: (cores) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.hold(w, cores));
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.pump();
    });
  }

  private fits(c: number, shared: boolean, reserved: ReadonlySet<number>): boolean {
    if (reserved.has(c)) return false;
    const h = this.held[c];
    return h.length === 0 || (shared && h.every((x) => x.shared));
  }

  /** Grants every waiter that fits, in order; a blocked waiter reserves its cores against later ones. */
  private pump(): void {
    const reserved = new Set<number>();
    for (let i = 0; i < this.waiters.length; ) {
      const w = this.waiters[i];
      let cores: number[] | null = null;
      if (w.cores === null) {
        const free = this.held.findIndex((_, c) => this.fits(c, false, reserved));
        if (free >= 0) cores = [free];
      } else if (w.cores.every((c) => this.fits(c, w.shared, reserved))) {
        cores = w.cores;
      }
      if (cores === null) {
        for (const c of w.cores ?? []) reserved.add(c);
        i++;
        continue;
      }
      this.waiters.splice(i, 1);
      w.grant(cores);
    }
  }

  private hold(w: Omit<Waiter, 'grant'>, cores: number[]): Claim {
    const entry: NodeActivity = { kind: w.kind, jobId: w.jobId, cores: [...cores], startedAt: new Date(this.now()).toISOString(), finishedAt: null };
    if (w.device !== undefined) entry.device = w.device;
    const held: Held = { entry, shared: w.shared };
    for (const c of cores) this.held[c].push(held);
    this.log.push(entry);
    return {
      cores: [...cores],
      activity: copy(entry),
      release: () => {
        if (entry.finishedAt === null) {
          entry.finishedAt = new Date(this.now()).toISOString();
          for (const c of cores) this.held[c] = this.held[c].filter((h) => h !== held);
          this.prune();
          this.pump();
        }
        return copy(entry);
      },
    };
  }

  /** Drops finished activities no live claim can overlap any more, past the retention window. */
  private prune(): void {
    const now = this.now();
    const liveSince = Math.min(now, ...this.log.filter((a) => a.finishedAt === null).map((a) => toMs(a.startedAt)));
    const keepAfter = Math.min(liveSince, now - this.retainMs);
    this.log = this.log.filter((a) => a.finishedAt === null || toMs(a.finishedAt) >= keepAfter);
  }
}

function sameActivity(a: NodeActivity, b: NodeActivity | undefined): boolean {
  return b !== undefined && a.kind === b.kind && a.jobId === b.jobId && a.startedAt === b.startedAt && a.device === b.device && a.cores.join() === b.cores.join();
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('claim aborted');
}
