/**
 * The benchmark config: one zod schema that is both the validator and the TypeScript type.
 * Key names are an interface (see DESIGN.md "Config"); messages are phrased "expected ..." so the
 * loader can append ", got <value>" and point at the YAML line.
 */
import { z } from 'zod';
import { EARLY_STOPPING_METRICS, EARLY_STOPPING_PERCENTILES, WORKLOAD_DEFAULTS as D } from './defaults';
import { DURATION_HINT, parseDuration } from './duration';
import { parseGrpcTarget } from './grpc-target';
import { allPaths } from './schema-paths';
import { didYouMean } from './suggest';

/** Every workload mode name the config accepts (the interface); see validate.ts for what runs today. */
export const WORKLOAD_MODES = [
  'single-stream',
  'server',
  'constant',
  'burst',
  'concurrency',
  'offline',
  'trace',
  'progressive',
] as const;
export type WorkloadMode = (typeof WORKLOAD_MODES)[number];

/** Open-loop modes send at `workload.rate`; closed-loop `concurrency` keeps N requests in flight. (burst derives its rate.) */
export const RATE_MODES: readonly WorkloadMode[] = ['server', 'constant'];
export const CONCURRENCY_MODES: readonly WorkloadMode[] = ['concurrency'];

/** Serving systems a follower can start on a device (configs/serving-systems.ts says which settings each honours). */
export const SERVING_SYSTEMS = ['builtin', 'triton', 'mlserver', 'command'] as const;
export type ServingSystem = (typeof SERVING_SYSTEMS)[number];

/** How the load generator talks KServe v2 to the server (sweepable): REST over HTTP/1.1, or gRPC. */
export const SERVING_PROTOCOLS = ['http', 'grpc'] as const;
export type ServingProtocol = (typeof SERVING_PROTOCOLS)[number];

/**
 * What the requests speak (sweepable): KServe v2 tensors (the default), or OpenAI-compatible LLM serving,
 * /v1/completions or /v1/chat/completions, streamed (SSE) or not; the LLM ones take workload.prompts.
 */
export const SERVING_APIS = ['kserve-v2', 'openai-completions', 'openai-chat'] as const;
export type ServingApi = (typeof SERVING_APIS)[number];
export const isLlmApi = (api: ServingApi | undefined): boolean => api === 'openai-completions' || api === 'openai-chat';

export const GRAPH_OPTIMIZATIONS = ['disabled', 'basic', 'extended', 'all'] as const;
export const SLO_KEYS = ['p50Ms', 'p90Ms', 'p95Ms', 'p99Ms'] as const;
/** LLM objectives, per request (goodput counts the requests meeting all of them) and at slo.percentile for a run. */
export const LLM_SLO_KEYS = ['ttftMs', 'tpotMs', 'e2eMs'] as const;
export const LLM_SLO_PERCENTILES = [50, 90, 95, 99] as const;

const int = (what: string) => {
  const error = `expected ${what}`;
  return z.number({ error }).int({ error });
};
const posInt = () => int('a positive integer').positive({ error: 'expected a positive integer' });
const nonNegInt = () => int('an integer >= 0').nonnegative({ error: 'expected an integer >= 0' });
const posNumber = () => z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' });
const text = () => z.string({ error: 'expected a non-empty string' }).min(1, { error: 'expected a non-empty string' });
const isHttpUrl = (text: string): boolean => {
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
};
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected one of ${values.join(' | ')}` });
const percentileOf = <const T extends readonly number[]>(values: T) =>
  z.literal(values, { error: `expected one of ${values.join(' | ')}` });

/**
 * How durations are written. In YAML ("text") they are strings or seconds and come out as ms;
 * an already-loaded config ("ms") holds plain milliseconds, so re-validating it is idempotent.
 */
export type DurationForm = 'text' | 'ms';

function durationField(form: DurationForm, positive: boolean): z.ZodType<number, number | string> {
  const bound = positive ? ' greater than 0' : '';
  if (form === 'ms') {
    const error = `expected a number of milliseconds${positive ? ' > 0' : ' >= 0'}`;
    const n = z.number({ error });
    return positive ? n.positive({ error }) : n.nonnegative({ error });
  }
  const error = `expected ${DURATION_HINT}${bound}`;
  return z.union([z.number(), z.string()], { error }).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined || (positive && ms <= 0)) {
      ctx.issues.push({ code: 'custom', message: error, input: value });
      return z.NEVER;
    }
    return ms;
  });
}

function buildConfigSchema(form: DurationForm) {
  // One flat object holding every family's keys (so sweep paths and did-you-mean hints see them all);
  // generateFamilyRules enforces which keys each family needs or accepts, and the transform emits the
  // family's own shape with its defaults filled in.
  const generate = z
    .strictObject({
      family: oneOf(GENERATE_FAMILIES),
      layers: posInt().optional(),
      hidden: posInt().optional(),
      inputShape: z
        .array(posInt(), { error: 'expected a list of positive integers' })
        .min(1, { error: 'expected a non-empty list of positive integers' })
        .optional(),
      channels: posInt().optional(),
      stages: posInt().optional(),
      seqLen: posInt().optional(),
      heads: posInt().optional(),
      ffn: posInt().optional(),
      outputSize: posInt().optional(),
      dtype: oneOf(['float32', 'float16']).default('float32'),
      seed: nonNegInt().default(1),
    })
    .superRefine(generateFamilyRules, { when: () => true })
    .transform(generateSpecOf);

  // model.inputs.<name>: how the load generator (and the compile's smoke run) fills one model input;
  // resolved against the model's own inputs by activities/inputs/resolve.ts (at validate and at run time).
  const inputSpec = z
    .strictObject({
      // The whole shape sent, one entry per dimension; the batch dim (the input's first dynamic one) is -1 or workload.batchSize.
      shape: z.array(int('an integer >= -1').min(-1, { error: 'expected an integer >= -1' }), { error: 'expected a list of integers (the shape)' }).optional(),
      // Random values in [lo, hi] (integers inclusive; floats [lo, hi)).
      range: z.tuple([z.number({ error: 'expected a number' }), z.number({ error: 'expected a number' })], { error: 'expected [lo, hi]' }).optional(),
      // Every element this value (an int64 scalar such as a sample rate, a flag).
      value: z.union([z.number(), z.boolean()], { error: 'expected a number or true/false' }).optional(),
      // A .npy file: this input's tensor (the input's rank), or one per request (rank + 1), cycled.
      data: text().optional(),
    })
    .superRefine((i, ctx) => {
      const given = (['range', 'value', 'data'] as const).filter((k) => i[k] !== undefined);
      if (given.length > 1) ctx.addIssue({ code: 'custom', path: [given[1]], message: `expected one of range, value or data, got ${given.join(' and ')}` });
      const r = i.range;
      if (Array.isArray(r) && typeof r[0] === 'number' && typeof r[1] === 'number' && !(r[0] <= r[1])) {
        ctx.addIssue({ code: 'custom', path: ['range'], message: `expected [lo, hi] with lo <= hi, got [${r.join(', ')}]` });
      }
    }, { when: () => true });

  const model = z
    .strictObject({
      generate: generate.optional(),
      path: text().optional(),
      inputs: z.record(z.string(), inputSpec, { error: 'expected a mapping of input name -> { shape, range, value, data }' }).optional(),
    })
    .superRefine((m, ctx) => {
      // Neither is checked with serving (crossFieldRules): an external OpenAI-compatible server owns its model.
      if (m.generate !== undefined && m.path !== undefined) {
        ctx.addIssue({ code: 'custom', message: 'expected exactly one of model.generate or model.path, got both' });
      }
    })
    // Absent only for an external endpoint with an openai-* serving.api (crossFieldRules); {} keeps the type whole.
    .optional()
    .transform((m) => m ?? {});

  // A token count: fixed, or drawn per request from a normal distribution (seeded by workload.seed), clamped to [min, max].
  const tokenCount = z.union(
    [
      posInt(),
      z.strictObject({
        mean: posNumber(),
        stdev: z.number({ error: 'expected a number >= 0' }).nonnegative({ error: 'expected a number >= 0' }).default(0),
        min: posInt().optional(),
        max: posInt().optional(),
      }).superRefine((t, ctx) => {
        if (t.min !== undefined && t.max !== undefined && t.max < t.min) ctx.addIssue({ code: 'custom', path: ['max'], message: `expected at least min (${t.min}), got ${t.max}` });
      }),
    ],
    { error: 'expected a positive integer or { mean, stdev, min, max }' },
  );

  // LLM requests (serving.api openai-*): synthetic prompts of drawn token lengths, or prompts from a file.
  const prompts = z.strictObject({
    // Prompt length in tokens (synthetic prompts); not with `file` (its prompts are sent as written).
    inputTokens: tokenCount.optional(),
    // max_tokens of each request; with ignoreEos the server generates exactly this many. With `file`: every
    // entry's (else the entry's own output_tokens, or a ShareGPT reply's length).
    outputTokens: tokenCount.optional(),
    // Tokens every synthetic prompt starts with (the same text in every request: prefix caching), before its own
    // inputTokens (a prompt is sharedPrefix + inputTokens long, as vLLM's random dataset and GuideLLM).
    sharedPrefix: nonNegInt().default(0),
    // JSONL ({"prompt": ...} or {"messages": [...]} per line, optional "output_tokens") or ShareGPT JSON
    // ([{"conversations": [{"from": "human", "value": ...}, ...]}]); relative to the config file.
    file: text().optional(),
    // Ask the server to ignore end-of-sequence so output lengths hold (vLLM, llama.cpp); off = the model may stop early.
    ignoreEos: z.boolean({ error: 'expected true or false' }).default(true),
  });

  // The built-in LLM server (node-llama-cpp on a GGUF model.path): continuous batching over `parallel` sequences.
  // Unset: LLM_SERVER_DEFAULTS (defaults.ts). Threads: serving.intraOpThreads.
  const llmServing = z.strictObject({
    // Sequences decoded together in one context; requests beyond them wait in a FIFO queue.
    parallel: posInt().optional(),
    // Tokens per sequence (prompt + output); the context holds parallel × contextSize.
    contextSize: posInt().optional(),
  });

  const batching = z.strictObject({
    maxBatchSize: posInt(),
    maxQueueDelayMs: z.number({ error: 'expected a number >= 0' }).nonnegative({ error: 'expected a number >= 0' }).default(1),
  });

  const serving = z
    .strictObject({
      // Which server serves the compiled model on the device (a sweep may vary it).
      system: oneOf(SERVING_SYSTEMS).default('builtin'),
      // system "command": any Open Inference Protocol server, run as this argv (no shell) with placeholders.
      command: z
        .strictObject({
          run: text(),
          // The URL path that answers 200 once the server is ready.
          ready: z
            .string({ error: 'expected a URL path starting with "/"' })
            .regex(/^\//, { error: 'expected a URL path starting with "/"' })
            .default('/v2/health/ready'),
        })
        .optional(),
      instances: posInt().default(1),
      intraOpThreads: posInt().default(1),
      interOpThreads: posInt().default(1),
      // Omitted = no dynamic batching: each request runs alone.
      batching: batching.optional(),
      // onnxruntime execution provider of the built-in server (checked against this host's onnxruntime at measure time).
      executionProvider: text().default('cpu'),
      // KServe v2 over HTTP (REST) or gRPC (inference.GRPCInferenceService), for every system.
      protocol: oneOf(SERVING_PROTOCOLS).default('http'),
      // kserve-v2 tensors, or an OpenAI-compatible LLM API (HTTP only). Unset = kserve-v2.
      api: oneOf(SERVING_APIS).optional(),
      // The built-in LLM server's settings (api openai-*, a GGUF model).
      llm: llmServing.optional(),
      // Set = benchmark this external KServe v2 server instead of starting the built-in one (load only):
      // an http(s):// URL, or host:port with protocol grpc.
      endpoint: z.string({ error: 'expected an http:// or https:// URL' }).optional(),
      // With endpoint: the model's name on that server (required there; validate.ts).
      model: text().optional(),
    })
    .superRefine((s, ctx) => {
      if (s.endpoint === undefined) return;
      if (s.protocol === 'grpc') {
        const t = parseGrpcTarget(s.endpoint);
        if ('problem' in t) ctx.addIssue({ code: 'custom', path: ['endpoint'], message: t.problem });
      } else if (!isHttpUrl(s.endpoint)) {
        ctx.addIssue({ code: 'custom', path: ['endpoint'], message: 'expected an http:// or https:// URL' });
      }
    })
    .prefault({});

  // Defaults come from defaults.ts; those derived from other keys are left unset here and filled per job by
  // resolveSettings (settings.ts), so a swept key moves them along.
  const workload = z.strictObject({
    mode: oneOf(WORKLOAD_MODES),
    rate: posNumber().optional(),
    concurrency: posInt().optional(),
    batchSize: posInt().default(D.batchSize),
    warmup: durationField(form, false).default(D.warmupMs),
    // The MINIMUM measured time: the run goes on until minQueries, earlyStopping and stability are met too.
    duration: durationField(form, true).default(D.durationMs),
    minQueries: nonNegInt().default(D.minQueries),
    // The longest measured time, whatever is unmet (the verdict then says what). Unset = 10 × duration (resolved).
    maxDuration: durationField(form, true).optional(),
    // Run until the percentile's bound holds at 99% confidence (MLPerf LoadGen early stopping), of the end-to-end
    // latency or, for LLM serving (serving.api openai-*, streamed), of TTFT or TPOT. Unset metric = latency (resolved).
    earlyStopping: z.strictObject({ percentile: percentileOf(EARLY_STOPPING_PERCENTILES), metric: oneOf(EARLY_STOPPING_METRICS).optional() }).optional(),
    // Run until the last `windows` windows agree within ±tolerance in throughput and p99 (perf_analyzer style).
    stability: z
      .strictObject({
        windows: int('an integer >= 2').min(2, { error: 'expected an integer >= 2' }).default(D.stability.windows),
        tolerance: z
          .number({ error: 'expected a fraction in (0, 1]' })
          .positive({ error: 'expected a fraction in (0, 1]' })
          .max(1, { error: 'expected a fraction in (0, 1]' })
          .default(D.stability.tolerance),
        window: durationField(form, true).default(D.stability.windowMs),
      })
      .optional(),
    seed: nonNegInt().default(D.seed),
    // How tensors travel: JSON, or Triton's binary tensor extension (request and response), for large tensors.
    tensorFormat: oneOf(['json', 'binary']).default(D.tensorFormat),
    // Per-request deadline (and the longest wait for stragglers at the end of a run).
    requestTimeout: durationField(form, true).default(D.requestTimeoutMs),
    // Input data cycled through requests: perf_analyzer's --input-data JSON ({"data": [...]}) or JSONL, one request per entry.
    data: text().optional(),
    // burst: `size` requests at once every `every` (the rate is size / every).
    burst: z.strictObject({ size: posInt(), every: durationField(form, true) }).optional(),
    // offline: queries at the least (unset = 1024), `concurrency` outstanding (unset = all, up to 1024); resolved.
    samples: posInt().optional(),
    // trace: a file of send offsets in ms (one per line, CSV with a time_ms column, or a JSON array), relative to the config file.
    trace: text().optional(),
    // progressive: raise the load step by step over `progressiveOver` until the p99 SLO breaks or throughput stops growing.
    progressive: z
      .strictObject({
        // Unset = workload.rate or workload.concurrency (whichever the steps go over).
        start: posNumber().optional(),
        // Multiply the level by factor each step (neither given = factor 2, resolved), or add `step`; not both.
        factor: z.number({ error: 'expected a number > 1' }).gt(1, { error: 'expected a number > 1' }).optional(),
        step: posNumber().optional(),
        maxSteps: posInt().default(D.progressive.maxSteps),
        // Minimum measured time of each step; unset = workload.duration.
        stepDuration: durationField(form, true).optional(),
      })
      .optional(),
    // Unset = rate if workload.rate is given, else concurrency.
    progressiveOver: oneOf(['rate', 'concurrency']).optional(),
    // server mode: gamma-distributed gaps with this shape (1 = Poisson; < 1 burstier; > 1 more even), as vLLM's --burstiness.
    burstiness: posNumber().optional(),
    // LLM requests (serving.api openai-*).
    prompts: prompts.optional(),
    // LLM requests: stream the reply (SSE; TTFT and ITL need it), or not (E2E only). Unset = true (resolved).
    stream: z.boolean({ error: 'expected true or false' }).optional(),
  });

  const slo = z
    .strictObject({
      p50Ms: posNumber().optional(),
      p90Ms: posNumber().optional(),
      p95Ms: posNumber().optional(),
      p99Ms: posNumber().optional(),
      // LLM: time to first token, time per output token, end-to-end latency; a request meeting all counts to goodput.
      ttftMs: posNumber().optional(),
      tpotMs: posNumber().optional(),
      e2eMs: posNumber().optional(),
      // The percentile at which a run must meet ttftMs / tpotMs / e2eMs (meets_slo, the LLM views). Unset = 99.
      percentile: percentileOf(LLM_SLO_PERCENTILES).optional(),
    })
    .superRefine((s, ctx) => {
      const keys = [...SLO_KEYS, ...LLM_SLO_KEYS];
      if (keys.every((k) => s[k] === undefined)) {
        ctx.addIssue({ code: 'custom', message: `expected at least one of ${keys.join(', ')}, got none` });
      }
    });

  const sweepValues = z
    .array(z.unknown(), { error: 'expected a non-empty list of values' })
    .min(1, { error: 'expected a non-empty list of values' });

  const shape = z.strictObject({
    name: z
      .string({ error: 'expected a name made of letters, digits, ".", "_" or "-"' })
      .regex(/^[A-Za-z0-9._-]+$/, { error: 'expected a name made of letters, digits, ".", "_" or "-"' }),
    model,
    compile: z.strictObject({ graphOptimization: oneOf(GRAPH_OPTIMIZATIONS).default('all') }).prefault({}),
    serving,
    workload,
    target: z
      .strictObject({
        cluster: text().default('local'),
        device: text().default('cpu'),
        // Price of one device-hour (any currency) for cost per million inferences; else the `prices` table.
        pricePerHour: posNumber().optional(),
      })
      .prefault({}),
    slo: slo.optional(),
    // Dotted config path -> values; the run is the cartesian product (see matrix.ts).
    sweep: z.record(z.string(), sweepValues, { error: 'expected a mapping of config path -> list of values' }).optional(),
    repeat: posInt().default(1),
  });

  // `when` makes the cross-field rules run even if a field elsewhere failed, so one pass reports everything.
  const sweepable = allPaths(shape).filter((p) => p !== 'sweep');
  return shape.superRefine((cfg, ctx) => crossFieldRules(cfg, ctx, sweepable), { when: () => true });
}

type Ctx = z.RefinementCtx;

/** Generated model families (activities/compile/generate.ts builds them). */
export const GENERATE_FAMILIES = ['mlp', 'cnn', 'transformer'] as const;
type Family = (typeof GENERATE_FAMILIES)[number];
const COMMON_GENERATE_KEYS = ['family', 'dtype', 'seed'];
/** Keys each family needs, then the optional ones (defaults in generateSpecOf). */
const FAMILY_KEYS: Record<Family, { required: string[]; optional: string[] }> = {
  mlp: { required: ['layers', 'hidden', 'inputShape'], optional: ['outputSize'] },
  cnn: { required: ['inputShape', 'layers', 'channels'], optional: ['stages', 'outputSize'] },
  transformer: { required: ['seqLen', 'hidden', 'heads', 'layers'], optional: ['ffn', 'outputSize'] },
};

type GenerateFields = {
  family: Family; layers?: number; hidden?: number; inputShape?: number[]; channels?: number; stages?: number;
  seqLen?: number; heads?: number; ffn?: number; outputSize?: number; dtype: 'float32' | 'float16'; seed: number;
};

/** Per-family key rules. Defensive: with `when`, `g` may be partly invalid. */
function generateFamilyRules(g: GenerateFields, ctx: Ctx): void {
  const keys = FAMILY_KEYS[g.family as Family];
  if (!keys) return; // the family enum reports it
  const issue = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
  const own = [...COMMON_GENERATE_KEYS, ...keys.required, ...keys.optional];
  for (const key of Object.keys(g)) {
    if (!own.includes(key)) issue(key, `not a key of family "${g.family}"; its keys: ${own.join(', ')}`);
  }
  const rec = g as Record<string, unknown>;
  for (const key of keys.required) {
    if (rec[key] !== undefined) continue;
    issue(key, key === 'inputShape' ? 'expected a non-empty list of positive integers' : 'expected a positive integer');
  }
  const pos = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;
  if (g.family === 'cnn' && Array.isArray(g.inputShape) && g.inputShape.length !== 3) {
    issue('inputShape', 'expected [channels, height, width] (three positive integers)');
  }
  if (g.family === 'cnn' && pos(g.stages) && pos(g.layers) && g.stages > g.layers) {
    issue('stages', `expected at most layers (${g.layers}): each stage needs a residual block`);
  }
  if (g.family === 'transformer' && pos(g.hidden) && pos(g.heads) && g.hidden % g.heads !== 0) {
    issue('heads', `expected a divisor of hidden (${g.hidden})`);
  }
}

/** The family's own spec with defaults filled in (runs only on valid input, so required keys are set). */
function generateSpecOf(g: GenerateFields) {
  const { dtype, seed } = g;
  const outputSize = g.outputSize ?? 10;
  switch (g.family) {
    case 'mlp':
      return { family: 'mlp' as const, layers: g.layers!, hidden: g.hidden!, inputShape: g.inputShape!, outputSize, dtype, seed };
    case 'cnn':
      return { family: 'cnn' as const, inputShape: g.inputShape!, layers: g.layers!, channels: g.channels!, stages: g.stages ?? 1, outputSize, dtype, seed };
    case 'transformer':
      return {
        family: 'transformer' as const, seqLen: g.seqLen!, hidden: g.hidden!, heads: g.heads!, layers: g.layers!,
        ffn: g.ffn ?? 4 * g.hidden!, outputSize, dtype, seed,
      };
  }
}

/** Rules spanning several fields. Defensive: with `when`, `cfg` may be partly invalid. */
function crossFieldRules(cfg: unknown, ctx: Ctx, sweepable: string[]): void {
  const root = (cfg ?? {}) as { workload?: { mode?: unknown; rate?: unknown; concurrency?: unknown }; sweep?: unknown };
  const sweep = root.sweep && typeof root.sweep === 'object' ? (root.sweep as Record<string, unknown>) : {};
  const w = root.workload;
  const mode = w?.mode as WorkloadMode | undefined;
  if (w && mode && RATE_MODES.includes(mode) && w.rate === undefined && !('workload.rate' in sweep)) {
    ctx.addIssue({
      code: 'custom',
      path: ['workload', 'rate'],
      message: `expected a positive number (mode "${mode}" sends requests at workload.rate per second)`,
    });
  }
  if (w && mode && CONCURRENCY_MODES.includes(mode) && w.concurrency === undefined && !('workload.concurrency' in sweep)) {
    ctx.addIssue({
      code: 'custom',
      path: ['workload', 'concurrency'],
      message: `expected a positive integer (mode "${mode}" keeps workload.concurrency requests in flight)`,
    });
  }
  if (w && mode) modeRules(mode, w as WorkloadFields, sweep, ctx);
  checkModelGiven(cfg, sweep, ctx);
  checkMaxDuration(w as { duration?: unknown; maxDuration?: unknown } | undefined, sweep, ctx);
  checkSweepKeys(Object.keys(sweep), ctx, sweepable);
}

type WorkloadFields = {
  rate?: unknown; concurrency?: unknown; burst?: { size?: unknown; every?: unknown }; trace?: unknown; samples?: unknown;
  progressive?: { start?: unknown; factor?: unknown; step?: unknown }; progressiveOver?: unknown;
};

/**
 * The keys burst, trace and progressive need. Keys of other modes are ignored (so a sweep over workload.mode
 * may share one workload). Defensive: `w` may be partly invalid.
 */
function modeRules(mode: WorkloadMode, w: WorkloadFields, sweep: Record<string, unknown>, ctx: Ctx): void {
  const issue = (key: string[], message: string) => ctx.addIssue({ code: 'custom', path: ['workload', ...key], message });
  const swept = (key: string) => Object.keys(sweep).some((k) => k === `workload.${key}` || k.startsWith(`workload.${key}.`));
  if (mode === 'burst') {
    if (w.burst === undefined && !swept('burst')) issue(['burst'], 'expected { size, every } (mode "burst" sends size requests every `every`), got nothing (the key is missing)');
    const b = w.burst;
    if (typeof w.rate === 'number' && b && typeof b.size === 'number' && typeof b.every === 'number' && !swept('rate') && !swept('burst')) {
      const derived = (b.size * 1000) / b.every;
      if (Math.abs(w.rate - derived) > 1e-9 * derived) {
        issue(['rate'], `expected ${derived} (burst.size / burst.every, per second) or no rate: mode "burst" derives its rate, got ${w.rate}`);
      }
    }
  }
  if (mode === 'trace' && w.trace === undefined && !swept('trace')) {
    issue(['trace'], 'expected the path of a trace file (mode "trace" replays its send times), got nothing (the key is missing)');
  }
  if (mode === 'progressive') {
    const p = w.progressive;
    if (p?.factor !== undefined && p.step !== undefined) issue(['progressive', 'step'], 'expected factor or step, not both');
    const over = w.progressiveOver ?? (w.rate !== undefined || swept('rate') ? 'rate' : 'concurrency');
    const base = over === 'rate' ? w.rate : w.concurrency;
    if (p?.start === undefined && base === undefined && !swept('progressive') && !swept(String(over))) {
      issue(['progressive', 'start'], `expected a positive number (the first ${over} level; or set workload.${over}), got nothing (the key is missing)`);
    }
    if (over === 'concurrency' && typeof p?.start === 'number' && !Number.isInteger(p.start)) {
      issue(['progressive', 'start'], `expected a positive integer (the steps go over concurrency), got ${p.start}`);
    }
  }
}

/**
 * A model to compile and serve: model.generate or model.path. Only an external endpoint speaking an OpenAI API
 * needs none (the server owns the model; serving.model names it). A swept serving.api or endpoint is checked per job.
 */
function checkModelGiven(cfg: unknown, sweep: Record<string, unknown>, ctx: Ctx): void {
  const root = (cfg ?? {}) as { model?: { generate?: unknown; path?: unknown }; serving?: { endpoint?: unknown; api?: ServingApi } };
  const m = root.model;
  if (m && typeof m === 'object' && (m.generate !== undefined || m.path !== undefined)) return;
  const swept = Object.keys(sweep).some((k) => k === 'model' || k.startsWith('model.') || k === 'serving.api' || k === 'serving.endpoint');
  if (swept || (root.serving?.endpoint !== undefined && isLlmApi(root.serving?.api))) return;
  ctx.addIssue({
    code: 'custom',
    path: ['model'],
    message: 'expected exactly one of model.generate or model.path, got neither (only serving.endpoint with an openai-* serving.api needs no model)',
  });
}

/** maxDuration bounds a run that lasts at least duration. A swept side is checked per job instead. */
function checkMaxDuration(w: { duration?: unknown; maxDuration?: unknown } | undefined, sweep: Record<string, unknown>, ctx: Ctx): void {
  if (!w || typeof w.duration !== 'number' || typeof w.maxDuration !== 'number') return;
  if ('workload.duration' in sweep || 'workload.maxDuration' in sweep || w.maxDuration >= w.duration) return;
  ctx.addIssue({
    code: 'custom',
    path: ['workload', 'maxDuration'],
    message: `expected at least workload.duration (${w.duration} ms), got ${w.maxDuration} ms`,
  });
}

/** model.inputs is keyed by the model's input names: any name, and its keys, may be swept. */
const INPUT_SWEEP_PATH = /^model\.inputs\.[^.]+(\.(shape|range|value|data))?$/;

function checkSweepKeys(keys: string[], ctx: Ctx, valid: string[]): void {
  for (const key of keys) {
    if (!valid.includes(key) && !INPUT_SWEEP_PATH.test(key)) {
      // A bare leaf name ("rate") most likely means the one path ending in it.
      const tail = valid.filter((p) => p.endsWith(`.${key}`));
      const hint = tail.length === 1 ? `; did you mean "${tail[0]}"?` : didYouMean(key, valid);
      ctx.addIssue({ code: 'custom', path: ['sweep', key], message: `"${key}" is not a config path${hint}` });
      continue;
    }
    // "serving.batching" and "serving.batching.maxBatchSize" would overwrite each other.
    const parent = keys.find((k) => k !== key && key.startsWith(`${k}.`));
    if (parent) {
      ctx.addIssue({ code: 'custom', path: ['sweep', key], message: `"${key}" overlaps sweep key "${parent}"; sweep one or the other` });
    }
  }
}

/** Validates YAML-shaped input: durations as "2s" / seconds, defaults filled in. */
export const configSchema = buildConfigSchema('text');
/** Validates an already-loaded Config (durations in ms), e.g. after sweep values were set, or one sent over the wire. */
export const loadedConfigSchema = buildConfigSchema('ms');

/** A validated config: defaults filled in, durations in milliseconds. */
export type Config = z.output<typeof configSchema>;
/** What may be written in YAML (before defaults and duration parsing). */
export type ConfigInput = z.input<typeof configSchema>;
