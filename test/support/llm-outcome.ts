/**
 * A finished LLM job's outcome as a measurement returns it (serving.api openai-chat), built by hand: its config
 * parsed from YAML, its latencies recorded into real HDR histograms and summarised as the load generator does, so
 * the recorder, the views and the report see what a real run would give them.
 */
import { createHistogram, encodeHistogram, recordMs, summarize, type Histogram } from '../../activities/loadgen/histogram';
import type { LlmSummary } from '../../activities/loadgen/llm-types';
import type { JobOutcome } from '../../activities/types';
import { parseConfig } from '../../configs/load';

export interface LlmRunSpec {
  sweepId: string;
  index: number;
  repeat?: number;
  concurrency: number;
  /** Per-request TTFT (ms) and inter-chunk gap (ms) at their medians; the tail spreads above them. */
  ttftMs: number;
  itlMs: number;
  outputTokens: number;
  requests: number;
  /** The slo block (YAML flow text), e.g. `{ ttftMs: 300, percentile: 90 }`; none when absent. */
  slo?: string;
  stream?: boolean;
  /** Requests (of the measured ones) whose stream was truncated. */
  truncated?: number;
  /** The run rules' reasons: the run is invalid with them. */
  invalid?: string[];
  errors?: number;
}

export function llmConfigYaml(spec: Pick<LlmRunSpec, 'concurrency' | 'outputTokens' | 'slo' | 'stream'>, name = 'llm-chat'): string {
  return [
    `name: ${name}`,
    'model: { path: /models/smollm2-135m-instruct.gguf }',
    'serving: { api: openai-chat, endpoint: "http://127.0.0.1:8000", model: smollm2-135m-instruct }',
    `workload: { mode: concurrency, concurrency: ${spec.concurrency}, duration: 10s, warmup: 1s, stream: ${spec.stream ?? true}, prompts: { inputTokens: 128, outputTokens: ${spec.outputTokens} } }`,
    ...(spec.slo ? [`slo: ${spec.slo}`] : []),
  ].join('\n');
}

/** A deterministic spread: request i of n at quantile (i + 0.5) / n of a log-normal around `median`. */
function spread(h: Histogram, median: number, n: number, sigma = 0.35): number[] {
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const q = (i + 0.5) / n;
    // Logit as a stand-in for the normal quantile: heavier tails, which is what serving shows.
    const z = Math.log(q / (1 - q)) / 1.7;
    const v = median * Math.exp(sigma * z);
    recordMs(h, v);
    values.push(v);
  }
  return values;
}

export function llmOutcome(spec: LlmRunSpec): JobOutcome {
  const config = parseConfig(llmConfigYaml(spec), 'llm-fixture.yaml');
  const stream = spec.stream ?? true;
  const errors = spec.errors ?? 0;
  const ok = spec.requests - errors;
  const measuredS = 10;
  const ttftH = createHistogram();
  const itlH = createHistogram();
  const tpotH = createHistogram();
  const itlMeanH = createHistogram();
  const e2eH = createHistogram();
  const ttfts = stream ? spread(ttftH, spec.ttftMs, ok) : [];
  if (stream) {
    spread(itlH, spec.itlMs, ok * (spec.outputTokens - 1), 0.25);
    spread(itlMeanH, spec.itlMs, ok, 0.1);
  }
  const tpots = spread(tpotH, spec.itlMs, ok, 0.1);
  for (let i = 0; i < ok; i++) recordMs(e2eH, (ttfts[i] ?? spec.ttftMs) + tpots[i] * (spec.outputTokens - 1));
  const slo = config.slo;
  const anySlo = slo && (slo.ttftMs !== undefined || slo.tpotMs !== undefined || slo.e2eMs !== undefined);
  const good = anySlo ? ttfts.filter((t) => slo.ttftMs === undefined || t <= slo.ttftMs).length : null;
  const llm: LlmSummary = {
    api: 'openai-chat',
    stream,
    ttft: summarize(ttftH),
    itl: summarize(itlH),
    tpot: summarize(tpotH),
    itlMeanPerRequest: summarize(itlMeanH),
    ttftHistogram: encodeHistogram(ttftH),
    itlHistogram: encodeHistogram(itlH),
    tpotHistogram: encodeHistogram(tpotH),
    inputTokens: ok * 128,
    outputTokens: ok * spec.outputTokens,
    inputTokensPerS: (ok * 128) / measuredS,
    outputTokensPerS: (ok * spec.outputTokens) / measuredS,
    meanOutputTokens: ok ? spec.outputTokens : null,
    meanMaxTokens: spec.outputTokens,
    tokenSource: 'usage',
    goodput: good === null ? null : good / measuredS,
    goodRequests: good,
    truncated: spec.truncated ?? 0,
    truncatedSample: spec.truncated ? `stream ended after 3 of ${spec.outputTokens} tokens without finish_reason` : null,
  };
  const reasons = spec.invalid ?? [];
  const jobId = `${spec.sweepId}/j${String(spec.index).padStart(3, '0')}-r${spec.repeat ?? 0}`;
  const at = '2026-12-01T20:00:00.000Z';
  return {
    sweepId: spec.sweepId,
    job: { jobId, index: spec.index, repeat: spec.repeat ?? 0, params: { 'workload.concurrency': spec.concurrency, 'workload.prompts.outputTokens': spec.outputTokens }, config },
    status: 'completed',
    measure: {
      node: 'host-1',
      device: 'cpu0',
      cores: [0],
      pinned: true,
      concurrent: [],
      host: { hostname: 'bench-box', cpuModel: 'Test CPU', cores: 2, memoryBytes: 8 * 1024 ** 3, gpus: [], providers: ['cpu'], onnxruntime: '1.21.0', node: 'v20.18.0' },
      attempt: 1,
      serveStartedAt: at,
      finishedAt: at,
      serverStats: null,
      samples: [],
      protocol: 'http',
      load: {
        mode: 'concurrency',
        targetRate: null,
        concurrency: spec.concurrency,
        startedAt: at,
        measuredMs: measuredS * 1000,
        requests: spec.requests,
        ok,
        errors,
        errorSamples: errors ? ['HTTP 503: server busy'] : [],
        errorCounts: errors ? [{ message: 'HTTP 503: server busy', count: errors }] : [],
        throughput: ok / measuredS,
        completedInWindow: spec.requests,
        inflightAtEnd: 0,
        achievedRate: spec.requests / measuredS,
        latency: summarize(e2eH),
        histogram: encodeHistogram(e2eH),
        sendLag: null,
        windows: [],
        verdict: { valid: reasons.length === 0, reasons },
        loadgenCpuPct: 12,
        earlyStopping: null,
        llm,
      },
    },
  };
}
