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
  /** Also serve the KServe v2 gRPC API on this port of `host` (0 = any free port); absent = HTTP only. */
  grpcPort?: number;
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
  /** The gRPC endpoint's port, when grpcPort was asked for. */
  grpcPort?: number;
  stats(): ServerStats;
  close(): Promise<void>;
}

export interface ServerStats {
  /** Infer requests accepted into the queue (malformed ones are not counted). */
  requests: number;
  /** Rows inferred: the sum of the batch dims of executed requests. Null where the system does not say (MLServer). */
  inferences: number | null;
  /** Model runs. Null where the system does not say (MLServer). */
  batches: number | null;
  /** Rows per model run → number of runs ({} where the system does not say). */
  batchSizeCounts: Record<number, number>;
  /** Per request: arrival → start of its model run. p99 null where the server keeps only sums (Triton); mean null where it gives none (MLServer). */
  queueTimeUs: { mean: number | null; p99: number | null };
  /** Per request: the model's own run of the batch it ran in (Triton: compute_infer). */
  computeTimeUs: { mean: number | null; p99: number | null };
  /** Per request, from the server's Prometheus /metrics: its whole time in the server (MLServer: batching wait included). */
  requestTimeUs?: { mean: number | null };
  /** Per request: Triton's compute_input and compute_output (tensor copies around the model's run). */
  computeInputUs?: { mean: number | null };
  computeOutputUs?: { mean: number | null };
  /**
   * The built-in LLM server's own (serving.api openai-*): tokens of the counted requests, and per request its
   * prefill (a free sequence → first token: the prompt's evaluation) and decode (first → last token) times.
   * computeTimeUs is then prefill + decode, queueTimeUs the wait for a free sequence.
   */
  llm?: {
    promptTokens: number;
    completionTokens: number;
    /** Requests that arrived with every sequence busy and waited in the queue. */
    queuedRequests: number;
    prefillTimeUs: { mean: number | null; p99: number | null };
    decodeTimeUs: { mean: number | null; p99: number | null };
  };
}
