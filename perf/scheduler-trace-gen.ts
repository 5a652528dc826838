/**
 * Generates perf/scheduler-trace.json, the job trace of `npm run perf:scheduler` (fixed seed: the same file every
 * run). Run: `npm run build && node dist/perf/scheduler-trace-gen.js > perf/scheduler-trace.json`.
 *
 * The trace: 40 sweeps submitted over ~3 hours (Poisson arrivals), each sweep over workload settings of
 * one model on one device type, so its jobs share the model (and, in servebench, one compiled artifact); some models
 * come back in later sweeps (30 % of sweeps reuse an earlier model; the artifact is shared only when the device type is
 * the same too, since it is optimised for the target). All jobs of a sweep arrive together (the sweep workflow starts
 * them at once).
 *
 * - Model sizes (compile = generate + validate + onnxruntime optimisation + save), log-uniform within a class:
 *   tiny 2–8 s (30 %), small 10–45 s (30 %), medium 45–150 s (25 %), large 180–300 s (15 %).
 * - Device: GPU for 85 % of medium/large sweeps, 65 % of small ones, 35 % of tiny ones; CPU otherwise.
 * - Measurement (device time) = server start (1.5 s + model load: 0 / 1 / 4 / 12 s by class) + warm-up (2–10 s)
 *   + measured time. A sweep's measured duration is log-uniform 10 s – 3 min; its kind is
 *   - rate / batch / concurrency (55 %): 3–8 jobs, same duration, ±10 % (early stopping, minimum query count);
 *   - duration (20 %): 3 jobs at 1×, 2×, 4× the duration;
 *   - progressive (25 %): 2–4 jobs (e.g. batching on/off × SLO), 3–6 steps of the duration each.
 *   Every measurement is clamped to [10 s, 10 min].
 * - Cluster: 2 nodes, each with gpu0, gpu1 (GPU devices), cpu0 (a set of pinned cores) and 2 compile slots.
 */
import { seededUniform } from '../activities/rng';
import type { DeviceType, Trace, TraceJob, TraceNode } from './scheduler-sim';

const SEED = 1;
const SWEEPS = 40;
const HORIZON_H = 3;
const REUSE_MODEL = 0.3;

type SizeClass = 'tiny' | 'small' | 'medium' | 'large';
interface ModelSpec {
  name: string;
  size: SizeClass;
  compileMs: number;
}

const CLASSES: { size: SizeClass; p: number; compileS: [number, number]; loadS: number; gpuP: number; families: string[] }[] = [
  { size: 'tiny', p: 0.3, compileS: [2, 8], loadS: 0, gpuP: 0.35, families: ['mlp-l2-h64', 'mlp-l4-h256', 'mlp-l4-h512', 'cnn-c2'] },
  { size: 'small', p: 0.3, compileS: [10, 45], loadS: 1, gpuP: 0.65, families: ['mobilenet-v2', 'cnn-c8', 'transformer-l2-d256', 'squeezenet'] },
  { size: 'medium', p: 0.25, compileS: [45, 150], loadS: 4, gpuP: 0.85, families: ['resnet50', 'bert-base', 'transformer-l6-d512', 'efficientnet-b4'] },
  { size: 'large', p: 0.15, compileS: [180, 300], loadS: 12, gpuP: 0.85, families: ['bert-large', 'gpt2-medium', 'vit-large', 'transformer-l24-d1024'] },
];

export const CLUSTER: TraceNode[] = ['node1', 'node2'].map((node) => ({
  node,
  compileSlots: 2,
  devices: [
    { name: 'gpu0', type: 'gpu' as DeviceType },
    { name: 'gpu1', type: 'gpu' as DeviceType },
    { name: 'cpu0', type: 'cpu' as DeviceType },
  ],
}));

export interface TraceOptions {
  seed?: number;
  sweeps?: number;
  horizonHours?: number;
}

export function generateTrace(opts: TraceOptions = {}): Trace & Record<string, unknown> {
  const seed = opts.seed ?? SEED;
  const sweeps = opts.sweeps ?? SWEEPS;
  const horizonHours = opts.horizonHours ?? HORIZON_H;
  const u = seededUniform(seed);
  const between = (lo: number, hi: number): number => lo + (hi - lo) * u();
  const logBetween = (lo: number, hi: number): number => Math.exp(between(Math.log(lo), Math.log(hi)));
  const intBetween = (lo: number, hi: number): number => lo + Math.floor(u() * (hi - lo + 1));
  const pick = <T>(xs: T[]): T => xs[Math.floor(u() * xs.length)];
  const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

  const models: ModelSpec[] = [];
  const familyCount = new Map<string, number>();
  const newModel = (): ModelSpec => {
    let r = u();
    let cls = CLASSES[CLASSES.length - 1];
    for (const c of CLASSES) {
      if (r < c.p) {
        cls = c;
        break;
      }
      r -= c.p;
    }
    const family = pick(cls.families);
    const n = (familyCount.get(family) ?? 0) + 1;
    familyCount.set(family, n);
    const m = { name: `${family}-v${n}`, size: cls.size, compileMs: Math.round(logBetween(cls.compileS[0], cls.compileS[1]) * 1000) };
    models.push(m);
    return m;
  };

  const jobs: TraceJob[] = [];
  const meanGapMs = (horizonHours * 3600_000) / sweeps;
  let t = 0;
  for (let s = 0; s < sweeps; s++) {
    if (s > 0) t += Math.round(-Math.log(1 - u()) * meanGapMs);
    const sweep = `s${String(s + 1).padStart(2, '0')}`;
    const model = models.length > 0 && u() < REUSE_MODEL ? pick(models) : newModel();
    const cls = CLASSES.find((c) => c.size === model.size)!;
    const device: DeviceType = u() < cls.gpuP ? 'gpu' : 'cpu';
    const serverStartMs = 1500 + cls.loadS * 1000;
    const warmupMs = Math.round(between(2, 10)) * 1000;
    const durationMs = Math.round(logBetween(10, 180)) * 1000;
    const kind = u();
    const measured: number[] = [];
    if (kind < 0.55) {
      const n = intBetween(3, 8);
      for (let i = 0; i < n; i++) measured.push(durationMs * between(0.9, 1.1));
    } else if (kind < 0.75) {
      for (const f of [1, 2, 4]) measured.push(durationMs * f);
    } else {
      const n = intBetween(2, 4);
      const steps = intBetween(3, 6);
      for (let i = 0; i < n; i++) measured.push(durationMs * steps);
    }
    measured.forEach((m, i) => {
      jobs.push({
        id: `${sweep}-j${String(i).padStart(2, '0')}`,
        sweep,
        arrivalMs: t,
        model: `${model.name}@${device}`,
        compileMs: model.compileMs,
        measureMs: Math.round(clamp(serverStartMs + warmupMs + m, 10_000, 600_000)),
        device,
      });
    });
  }
  return {
    description:
      'Job trace of npm run perf:scheduler: sweeps over workload settings arrive over time (Poisson); the jobs of a sweep share one model. Times in ms from the start of the trace.',
    generator: 'perf/scheduler-trace-gen.ts',
    regenerate: 'npm run build && node dist/perf/scheduler-trace-gen.js > perf/scheduler-trace.json',
    seed,
    sweeps,
    jobCount: jobs.length,
    models: models.length,
    artifacts: new Set(jobs.map((j) => j.model)).size,
    horizonHours,
    method: [
      'sweeps arrive as a Poisson process (mean gap horizonHours / sweeps); all jobs of a sweep arrive together',
      'a sweep reuses an earlier model with p 0.3, else a new one: tiny 30 % (compile 2-8 s), small 30 % (10-45 s), medium 25 % (45-150 s), large 15 % (180-300 s)',
      'device per sweep: gpu with p 0.35 / 0.65 / 0.85 / 0.85 by size class, else cpu; the artifact is per model and device type',
      'measure = server start (1.5 s + 0/1/4/12 s model load by class) + warm-up 2-10 s + measured time; a sweep measures 10 s - 3 min (log-uniform) and is a rate/batch sweep (55 %, 3-8 jobs, +-10 %), a duration sweep (20 %, 1x 2x 4x) or progressive (25 %, 2-4 jobs of 3-6 steps); clamped to 10 s - 10 min',
    ],
    fields: {
      id: 'job id, <sweep>-j<index>',
      sweep: 'sweep id',
      arrivalMs: 'submission time',
      model: 'artifact identity, <model>@<target device type>: same value = same compiled artifact (content hash)',
      compileMs: 'compile time of the model',
      measureMs: 'device time of the measurement: server start + warm-up + measured duration',
      device: 'device type the job needs: cpu | gpu',
    },
    cluster: { nodes: CLUSTER },
    jobs,
  };
}

/** JSON with one job per line (diff-friendly). */
export function formatTrace(trace: Trace & Record<string, unknown>): string {
  const { jobs, ...header } = trace;
  const head = JSON.stringify(header, null, 2);
  const body = jobs.map((j) => `    ${JSON.stringify(j)}`).join(',\n');
  return `${head.slice(0, -2)},\n  "jobs": [\n${body}\n  ]\n}\n`;
}

if (require.main === module) {
  process.stdout.write(formatTrace(generateTrace()));
}
