/** Load generator for KServe v2 (Open Inference Protocol) servers, over HTTP/REST or gRPC. */
export { runLoad, type LoadMode, type LoadOptions, type LoadProgress, type LoadResult, type LoadTarget, type ProgressiveStep } from './driver';
export { buildInferBody, fetchModelMetadata, type ModelMetadata, type TensorMetadata } from './request';
export { burstArrivals, constantArrivals, constantSchedule, poissonArrivals, poissonSchedule, traceArrivals, tracePeriodMs, traceRate } from './schedule';
export { loadTrace, parseTrace, TraceError } from './trace';
export { chooseKnee, levelAt, MIN_GROWTH, progressiveLevels, stopReason, type ProgressiveOver, type ProgressivePlan, type StepSummary } from './progressive';
export { createHistogram, decodeHistogram, encodeHistogram, recordMs, summarize, type LatencySummary } from './histogram';
export {
  judgeRun,
  rulesOf,
  shouldStop,
  stabilityIssues,
  unmetRules,
  type EarlyStoppingPercentile,
  type RunFacts,
  type RunProgress,
  type RunRules,
  type RunRulesInput,
  type StabilityRule,
  type Verdict,
  type WindowSample,
} from './run-rules';
export { earlyStoppingMinQueries, earlyStoppingRank, minPassingQueries, queriesToBound } from './early-stopping';
