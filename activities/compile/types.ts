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

/** What the compile step read from a GGUF model (served by the built-in LLM server, not converted). */
export interface GgufFacts {
  /** general.architecture, e.g. llama. */
  architecture: string;
  /** general.name, where the file gives one. */
  name: string | null;
  /** The context length it was trained with (tokens). */
  contextLength: number | null;
  /** Its quantization: llama.cpp's file type (general.file_type), e.g. MOSTLY_Q4_1. */
  fileType: string | null;
  vocabularySize: number | null;
  /** The engine that read and loaded it, e.g. node-llama-cpp 3.21.1. */
  engine: string;
}

export interface Artifact {
  /** ONNX: sha256 of source bytes + graphOptimization + onnxruntime version; GGUF: of its bytes alone. */
  hash: string;
  /** Absolute path of the optimised model.onnx, or of the GGUF (model.gguf, a copy of model.path). */
  path: string;
  cached: boolean;
  /** Seconds the original compile took (also when served from cache). */
  compileSeconds: number;
  /** Size of the optimised model file. */
  bytes: number;
  sourceBytes: number;
  parameters: number;
  /** Per sample; null when it cannot be estimated. A GGUF model: per output token, 2 × parameters (attention over the context not counted). */
  flops: number | null;
  /** The model's tensors ([] for a GGUF model: it takes text). */
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  modelName: string;
  /** Set for a GGUF model (serving.api openai-*). */
  gguf?: GgufFacts;
}
