/** Shapes shared by the compile step and its callers. */
import type { InputSettings } from '../inputs/prepare';
import type { GenerateSpec } from './generate';

export interface CompileSpec {
  /** Exactly one of generate / path. A relative path is resolved against configDir (else the cwd). */
  model: { generate?: GenerateSpec; path?: string };
  graphOptimization: 'disabled' | 'basic' | 'extended' | 'all';
  /** What the smoke run feeds: the requests the load generator will send (default batch 1, random values). */
  feed?: InputSettings;
}

export interface TensorInfo {
  name: string;
  /** KServe v2 datatype (FP32, INT64, BYTES, ...); 'UNSUPPORTED' for types KServe cannot carry. */
  datatype: string;
  /** -1 for dynamic or symbolic dims. */
  shape: number[];
}

export interface Artifact {
  /** sha256 of source bytes + graphOptimization + onnxruntime version. */
  hash: string;
  /** Absolute path of the optimised model.onnx. */
  path: string;
  cached: boolean;
  /** Seconds the original compile took (also when served from cache). */
  compileSeconds: number;
  /** Size of the optimised model file. */
  bytes: number;
  sourceBytes: number;
  parameters: number;
  /** Per sample; null when it cannot be estimated. */
  flops: number | null;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  modelName: string;
}
