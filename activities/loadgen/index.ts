/** Load generator for KServe v2 (Open Inference Protocol) HTTP servers. */
export { runLoad, type LoadMode, type LoadOptions, type LoadProgress, type LoadResult } from './driver';
export { buildInferBody, concreteShape, fetchModelMetadata, type ModelMetadata, type TensorMetadata } from './request';
export { constantSchedule, poissonSchedule } from './schedule';
export { createHistogram, decodeHistogram, encodeHistogram, recordMs, summarize, type LatencySummary } from './histogram';
