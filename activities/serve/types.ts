/** Public shapes of the built-in KServe v2 server (types only). */

export interface BatchingOptions {
  /** Most rows (sum of request batch dims) one model run may take; a larger request still runs, alone. */
  maxBatchSize: number;
  /** Longest the oldest queued request waits for its batch to fill. */
  maxQueueDelayMs: number;
}

export interface ServerOptions {
  modelPath: string;
  modelName: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 or absent = any free port. */
  port?: number;
  instances: number;
  intraOpThreads: number;
  interOpThreads: number;
  /** Absent = every request runs alone. */
  batching?: BatchingOptions;
  /** onnxruntime execution provider (e.g. cpu, cuda); default cpu. */
  executionProvider?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  stats(): ServerStats;
  close(): Promise<void>;
}

export interface ServerStats {
  /** Infer requests accepted into the queue (malformed ones are not counted). */
  requests: number;
  /** Rows inferred: the sum of the batch dims of executed requests. */
  inferences: number;
  /** Model runs. */
  batches: number;
  /** Rows per model run → number of runs. */
  batchSizeCounts: Record<number, number>;
  /** Per request: arrival → start of its model run. p99 null where the server keeps only sums (Triton). */
  queueTimeUs: { mean: number; p99: number | null };
  /** Per request: the session.run time of the batch it ran in. */
  computeTimeUs: { mean: number; p99: number | null };
}
