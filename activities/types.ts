/** The messages that pass between workflows and activities (types only, so workflow code can import them). */
import type { Config } from '../configs/schema';
import type { Artifact } from './compile/types';
import type { LoadResult } from './loadgen/driver';
import type { ServerStats } from './serve/types';
import type { HostFacts } from './probe/host';
import type { SystemSample } from './probe/sampler';

/** A job after sweep expansion: one benchmark. */
export interface PlannedJob {
  jobId: string; // the benchmark workflow id, also the run id
  index: number;
  repeat: number;
  params: Record<string, unknown>;
  config: Config;
}

export interface SweepPlan {
  name: string;
  config: Config;
  jobs: PlannedJob[];
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

export interface CompileInput {
  jobId: string;
  config: Config;
}

export interface CompileResult {
  node: string;
  artifact: Artifact;
  attempt: number;
  startedAt: string;
  finishedAt: string;
}

export interface MeasureInput {
  jobId: string;
  config: Config;
  artifact: Artifact;
}

export interface MeasureResult {
  node: string;
  device: string;
  host: HostFacts;
  attempt: number;
  serveStartedAt: string;
  finishedAt: string;
  load: LoadResult;
  serverStats: ServerStats | null;
  /** CPU/RSS of server and load generator, GPU where present, through the run. */
  samples: SystemSample[];
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
}

export interface SweepRow {
  sweepId: string;
  name: string;
  status: 'running' | 'completed' | 'failed';
  jobsTotal: number;
  jobsDone: number;
  jobsFailed: number;
  config: Config;
  startedAt: string;
  finishedAt?: string;
}
