/**
 * Pure statistics and policy of the perf scripts' host-noise reporting: the spread of rounds, when a run
 * is too noisy to read, when an alternating comparison needs more rounds, which round was the quietest,
 * and whether a client rather than the server limited a closed-loop run. No I/O (the /proc readings are
 * in perf/host-noise.ts); thresholds are documented in perf/README.md ("Noise").
 */

/** A run is too noisy to read when the host's CPU steal over it is above this share of all CPU time, %. */
export const MAX_STEAL_PCT = 5;
/** ... or when a figure's rounds spread wider than this (max / min of the rounds). */
export const MAX_SPREAD = 1.25;
/** ... or when the 1-minute load average per core stayed above this over the run (other jobs queue for the cores). */
export const MAX_LOAD_PER_CORE = 1.5;
/** A server whose process used less than this share of its core under a closed loop was not the limit, %. */
export const SERVER_BUSY_PCT = 90;

export interface Spread {
  n: number;
  min: number;
  median: number;
  max: number;
  /** max / min (1 = every round alike); NaN when there are no rounds or min ≤ 0. */
  ratio: number;
}

export function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** min, median, max and max/min of the finite values in `xs`. */
export function spread(xs: number[]): Spread {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return { n: 0, min: NaN, median: NaN, max: NaN, ratio: NaN };
  const min = s[0];
  const max = s[s.length - 1];
  return { n: s.length, min, median: median(s), max, ratio: min > 0 ? max / min : NaN };
}

export interface HostNoise {
  /** CPU steal over the run, % of all CPU time of the host (null where /proc/stat cannot tell). */
  stealPct: number | null;
  /** 1-minute load averages sampled over the run (max), and the host's core count. */
  loadAvgMax: number | null;
  cores: number;
}

export interface NoiseVerdict {
  noisy: boolean;
  /** Why, one phrase per threshold crossed (empty when quiet). */
  reasons: string[];
}

export interface NoiseThresholds {
  maxStealPct: number;
  maxSpread: number;
  maxLoadPerCore: number;
}

export const DEFAULT_THRESHOLDS: NoiseThresholds = { maxStealPct: MAX_STEAL_PCT, maxSpread: MAX_SPREAD, maxLoadPerCore: MAX_LOAD_PER_CORE };

/**
 * Too noisy to read? `spreads` names each figure's rounds (e.g. { servebench_rps: [...] }); a figure with
 * fewer than 2 rounds says nothing about spread.
 */
export function noiseVerdict(host: HostNoise, spreads: Record<string, number[]>, t: NoiseThresholds = DEFAULT_THRESHOLDS): NoiseVerdict {
  const reasons: string[] = [];
  if (host.stealPct !== null && host.stealPct > t.maxStealPct) reasons.push(`steal ${round(host.stealPct, 1)}% > ${t.maxStealPct}%`);
  if (host.loadAvgMax !== null && host.cores > 0 && host.loadAvgMax / host.cores > t.maxLoadPerCore) {
    reasons.push(`load average ${round(host.loadAvgMax, 2)} > ${t.maxLoadPerCore} per core (${host.cores} cores)`);
  }
  for (const [name, xs] of Object.entries(spreads)) {
    const s = spread(xs);
    if (s.n >= 2 && s.ratio > t.maxSpread) reasons.push(`${name} rounds spread ${round(s.ratio, 2)}x > ${t.maxSpread}x`);
  }
  return { noisy: reasons.length > 0, reasons };
}

export interface RoundPolicy {
  /** Rounds always run (each round measures every contender once). */
  minRounds: number;
  /** Never more than this. */
  maxRounds: number;
  /** More rounds while any contender's rounds spread wider than this (max / min). */
  maxSpread: number;
}

/**
 * Adaptive alternation: after each full round (every contender measured once), run another while fewer than
 * minRounds have run, or while any contender's spread is above maxSpread and maxRounds is not reached. A wide
 * spread means the median of few rounds can land on a noisy one; more alternating rounds let the median
 * settle on what most of the run saw without picking rounds by hand.
 */
export function needMoreRounds(perContender: number[][], p: RoundPolicy): boolean {
  const done = Math.min(...perContender.map((xs) => xs.length));
  if (done < p.minRounds) return true;
  if (done >= p.maxRounds) return false;
  return perContender.some((xs) => spread(xs).ratio > p.maxSpread);
}

/** Order of the contenders in round `i` (0-based): ABBA-style alternation by rotating the start each round. */
export function roundOrder<T>(contenders: T[], i: number): T[] {
  return contenders.map((_, k) => contenders[(k + i) % contenders.length]);
}

/**
 * Index of the quietest round: the lowest CPU steal (whole percentage points; smaller differences are no
 * signal), then the fewest other runnable tasks (`load`: e.g. the mean of /proc/stat's procs_running over
 * the round); -1 when no round knows either.
 */
export function quietestRound(rounds: { stealPct: number | null; load: number | null }[]): number {
  const known = (x: number | null): x is number => x !== null && Number.isFinite(x);
  const key = (r: { stealPct: number | null; load: number | null }): [number, number] => [
    known(r.stealPct) ? Math.floor(r.stealPct) : Infinity,
    known(r.load) ? r.load : Infinity,
  ];
  let best = -1;
  for (let i = 0; i < rounds.length; i++) {
    const [s, l] = key(rounds[i]);
    if (s === Infinity && l === Infinity) continue;
    if (best < 0) {
      best = i;
      continue;
    }
    const [bs, bl] = key(rounds[best]);
    if (s < bs || (s === bs && l < bl)) best = i;
  }
  return best;
}

/** The server process's share of its core while one client ran, % (see perf/host-noise.ts ProcessBusy). */
export interface ServerShare {
  busyPct: number;
  /** Runnable but waiting for the core (other tasks held it); null where /proc cannot tell. */
  waitPct: number | null;
}

export interface LimitVerdict {
  /**
   * 'server' when the server was busy (≥ threshold) under every client; 'client' when it idled under some
   * client for want of requests; else 'host': it had work but the host's other tasks held its core.
   */
  limit: 'server' | 'host' | 'client';
  /** Clients under which the server waited for requests: they, not the server, set the figure. */
  clientLimited: string[];
  /** Clients under which the server was starved of its core by other tasks (the host set the figure). */
  hostLimited: string[];
}

/**
 * In a closed loop the server is the limit when its process is busy all the time. When its busy share is below
 * `busyPct` under a client, either it waited for the core (busy + run-queue wait ≥ busyPct: the host was the
 * limit) or it waited for requests: that client did not keep requests in flight, the client was the limit, and
 * a throughput difference between clients then says nothing about either client's measurement.
 */
export function limitVerdict(perClient: Record<string, ServerShare>, busyPct = SERVER_BUSY_PCT): LimitVerdict {
  const clientLimited: string[] = [];
  const hostLimited: string[] = [];
  for (const [c, s] of Object.entries(perClient)) {
    if (!Number.isFinite(s.busyPct) || s.busyPct >= busyPct) continue;
    if (s.waitPct !== null && Number.isFinite(s.waitPct) && s.busyPct + s.waitPct >= busyPct) hostLimited.push(c);
    else clientLimited.push(c);
  }
  return { limit: clientLimited.length ? 'client' : hostLimited.length ? 'host' : 'server', clientLimited, hostLimited };
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

/**
 * The noise lines every perf script prints beside its figures: host_steal_pct, host_loadavg_max, host_cores,
 * for each figure `<name>_min`, `_median`, `_max`, `_spread` (max / min of its rounds), then `noisy` (yes/no)
 * and `noisy_reasons`.
 */
export function noiseKeys(host: HostNoise, figures: Record<string, number[]>, t: NoiseThresholds = DEFAULT_THRESHOLDS): Record<string, string | number> {
  const keys: Record<string, string | number> = {
    host_steal_pct: host.stealPct ?? 'n/a',
    host_loadavg_max: host.loadAvgMax ?? 'n/a',
    host_cores: host.cores,
  };
  for (const [name, xs] of Object.entries(figures)) {
    const s = spread(xs);
    keys[`${name}_min`] = s.min;
    keys[`${name}_median`] = s.median;
    keys[`${name}_max`] = s.max;
    keys[`${name}_spread`] = s.ratio;
  }
  const v = noiseVerdict(host, figures, t);
  keys.noisy = v.noisy ? 'yes' : 'no';
  keys.noisy_reasons = JSON.stringify(v.reasons.join('; '));
  return keys;
}
