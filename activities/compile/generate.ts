/**
 * Dispatch on model.generate.family: one entry point for validating, naming and building generated models.
 *
 * dtype float16 is a true fp16 graph: FLOAT16 weights and constants, FP16 input and output, every op typed
 * fp16 (as a GPU execution provider would run it). onnxruntime's CPU provider lacks fp16 kernels for most of
 * these ops (Conv, Gemm, MatMul, Add, Mul, LayerNormalization, ...); at session creation it wraps them in Casts to
 * float32 itself, and the optimised artifact saved by the compile step carries those Casts (with level
 * basic or above the weight Casts are constant-folded, so a CPU artifact holds float32 weights).
 */
import { buildCnnModel, cnnCost, cnnModelName, cnnSpecProblems, type CnnSpec } from './cnn';
import { buildMlpModel, mlpModelName, mlpParameters, mlpSpecProblems, type GeneratedModel, type MlpSpec } from './mlp';
import { buildTransformerModel, transformerCost, transformerModelName, transformerSpecProblems, type TransformerSpec } from './transformer';

export type GenerateSpec = MlpSpec | CnnSpec | TransformerSpec;
export const FAMILIES = ['mlp', 'cnn', 'transformer'] as const;

/** User-facing sentences; empty when the spec is valid. */
export function generateSpecProblems(spec: GenerateSpec): string[] {
  switch (spec?.family) {
    case 'mlp': return mlpSpecProblems(spec);
    case 'cnn': return cnnSpecProblems(spec);
    case 'transformer': return transformerSpecProblems(spec);
    default: return [`family must be one of ${FAMILIES.join(', ')} (got ${JSON.stringify((spec as { family?: unknown })?.family)})`];
  }
}

/** Parameter count of a valid spec, computed without building the model. */
export function generatedParameters(spec: GenerateSpec): number {
  switch (spec.family) {
    case 'mlp': return mlpParameters(spec);
    case 'cnn': return cnnCost(spec).parameters;
    case 'transformer': return transformerCost(spec).parameters;
  }
}

export function generatedModelName(spec: GenerateSpec): string {
  switch (spec.family) {
    case 'mlp': return mlpModelName(spec);
    case 'cnn': return cnnModelName(spec);
    case 'transformer': return transformerModelName(spec);
  }
}

/** Throws RangeError on an invalid spec (check generateSpecProblems first for user-facing errors). */
export function buildGeneratedModel(spec: GenerateSpec): GeneratedModel {
  switch (spec.family) {
    case 'mlp': return buildMlpModel(spec);
    case 'cnn': return buildCnnModel(spec);
    case 'transformer': return buildTransformerModel(spec);
    default: throw new RangeError(generateSpecProblems(spec).join('; '));
  }
}
