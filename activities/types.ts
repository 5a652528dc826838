/** The messages that pass between workflows and activities (types only, so workflow code can import them). */
import type { Config, ServingApi } from '../configs/schema';
import type { PatchOp } from '../configs/patch';
import type { RunSettings } from '../configs/settings';
import type { Artifact } from './compile/types';
import type { LoadResult } from './loadgen/driver';
import type { ServerStats } from './serve/types';
import type { HostFacts } from './probe/host';
import type { NodeActivity } from './probe/node-ledger';
import type { SystemSample } from './probe/sampler';
import type { SweepStatus } from '../workflows/sweep-status';

export type { NodeActivity } from './probe/node-ledger';

/** A job after sweep expansion: one benchmark. */
export interface PlannedJob {
  jobId: string; // the benchmark workflow id, also the run id
  index: number;
  repeat: number;
  params: Record<string, unknown>;
  config: Config;
}

/** A planned job as the plan carries it: its config as a patch of the sweep's config (configs/patch.ts). */
export interface CompactJob extends Omit<PlannedJob, 'config'> {
  patch: PatchOp[];
}

export interface SweepPlan {
  name: string;
  config: Config;
  jobs: CompactJob[];
}

export interface PlanSweepInput {
  sweepId: string;
  /** The config as YAML text (what the CLI sends, and what a user pastes in the Temporal UI)... */
  configYaml?: string;
  /** ...or as a JSON object in the same shape. */
  config?: unknown;
  /** Named in error messages. */
  configFile?: string;
  /** Where a relative model.path is resolved; the leader's working directory when absent. */
  baseDir?: string;
}

/** `compile` (cluster tier, cached) and `compileOnDevice` (single-tier baseline, uncached) take the same input. */
export interface CompileInput {
  jobId: string;
  config: Config;
}

export type CompileOnDeviceInput = CompileInput;

export interface CompileResult {
  node: string;
  artifact: Artifact;
  attempt: number;
  /** When the compile got its cores (after waitedMs of waiting for them). */
  startedAt: string;
  finishedAt: string;
  /** The cores it ran on: one free core (cluster tier), or the device's (compileOnDevice). */
  cores?: number[];
  /** Whether the compile process was pinned to those cores (false where taskset is missing). */
  pinned?: boolean;
  /** compileOnDevice only: the device compiled on. */
  device?: string;
  /** How long it waited for its cores, ms. */
  waitedMs?: number;
}

export interface MeasureInput {
  jobId: string;
  config: Config;
  artifact: Artifact;
  /**
   * The device's lease: a measurement that succeeds gives the device back to the cluster's scheduler itself, as
   * it ends, so the next job's grant does not wait for the benchmark workflow's own release (a workflow task
   * later; perf:sweep-scale). Absent in the inputs of older workflows: only the workflow releases.
   */
  lease?: { cluster: string; requestId: string };
}

export interface MeasureResult {
  node: string;
  /** The device measured on (its queue's device name, e.g. cpu0). */
  device: string;
  /** Cores the server and the load generator were pinned to. */
  cores: number[];
  /** False where taskset is missing: then they ran unpinned. */
  pinned: boolean;
  /** Everything else that held cores of this node while the measurement held its own: [] when nothing. */
  concurrent: NodeActivity[];
  host: HostFacts;
  attempt: number;
  serveStartedAt: string;
  finishedAt: string;
  load: LoadResult;
  serverStats: ServerStats | null;
  /** CPU/RSS of server and load generator, GPU where present, through the run. */
  samples: SystemSample[];
  /** Input name -> the shape sent (the distinct shapes when data files vary them); absent in older history. */
  inputShapes?: Record<string, number[] | number[][]>;
  /** workload.tensorFormat of the requests. */
  tensorFormat?: 'json' | 'binary';
  /** The settings the run used (configs/settings.ts), as handed to the load generator; absent in older history. */
  settings?: RunSettings;
  /** serving.protocol the requests went over (absent in results from before gRPC: http). */
  protocol?: 'http' | 'grpc';
  /** serving.api of an LLM job (openai-completions | openai-chat); absent for kserve-v2. */
  api?: ServingApi;
  /** An LLM job's prompts: synthetic or from a file, counted with the model's tokenizer or fitted by words (promptTokens null then). */
  prompts?: { source: 'synthetic' | 'file'; tokenizer: 'model' | 'approximate'; distinct: number; skipped: number };
}

export type JobStatus = 'completed' | 'failed';

/** What a benchmark workflow returns, and what the leader records. */
export interface JobOutcome {
  sweepId: string;
  job: PlannedJob;
  status: JobStatus;
  error?: string;
  compile?: CompileResult;
  measure?: MeasureResult;
  /** Devices the measurement was tried on, a failed one too (a completed one also says it as measure.attempt). */
  measureAttempts?: number;
}

export interface SweepRow {
  sweepId: string;
  name: string;
  status: SweepStatus;
  jobsTotal: number;
  jobsDone: number;
  jobsFailed: number;
  config: Config;
  startedAt: string;
  finishedAt?: string;
}
