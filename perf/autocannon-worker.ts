/**
 * Runs autocannon through its JS API in its own process (so it can be pinned to a core, like
 * perf/loadgen-worker) and prints one JSON line: its result's counts, duration and p50, and the CPU share
 * this process used while autocannon ran (process.cpuUsage over wall time, %), so that perf:loadgen can
 * compare the two load generators per CPU-second as well as per second. Options: JSON in argv[2]
 * ({ url, connections, durationS, body }).
 */
import { performance } from 'node:perf_hooks';

interface Result {
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  latency: { p50: number };
}
// autocannon ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>, cb: (err: unknown, res: Result) => void) => unknown;

const o = JSON.parse(process.argv[2]) as { url: string; connections: number; durationS: number; body: string };
const cpu0 = process.cpuUsage();
const t0 = performance.now();
autocannon(
  { url: o.url, connections: o.connections, pipelining: 1, duration: o.durationS, method: 'POST', headers: { 'content-type': 'application/json' }, body: o.body },
  (err, res) => {
    if (err) {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    }
    const used = process.cpuUsage(cpu0);
    const wallUs = (performance.now() - t0) * 1000;
    const { '2xx': ok, non2xx, errors, timeouts, duration, latency } = res;
    process.stdout.write(`${JSON.stringify({ '2xx': ok, non2xx, errors, timeouts, duration, latency: { p50: latency.p50 }, cpuPct: ((used.user + used.system) / wallUs) * 100 })}\n`);
  },
);
