/**
 * Pure generator of synthetic MLP models as ONNX bytes: [Flatten,] (Gemm, Relu) × layers, Gemm head.
 *
 * Same spec → byte-identical model: the artifact cache is content-addressed,
 * so any nondeterminism here would defeat "a sweep compiles once".
 */
import type { onnx } from 'onnx-proto';
import { seededSymmetric } from '../rng';
import { encodeModel, intAttr, tensorValueInfo, uniformTensor, type Dtype } from './onnx-build';
import { commonProblems, isPosInt, requirePosInts, sizeProblem } from './spec-checks';

export interface MlpSpec {
  family: 'mlp';
  layers: number;
  hidden: number;
  inputShape: number[];
  /** Default 10. */
  outputSize?: number;
  /** float16: weights, input and output are FP16 (see README "Generated models"). */
  dtype: Dtype;
  seed: number;
}

export interface GeneratedModel {
  bytes: Uint8Array;
  /** All weight and bias elements (LayerNorm scales and shifts included; shape constants are not). */
  parameters: number;
  /**
   * 2 × multiply-accumulates of the matrix products and convolutions, per sample (per batch item).
   * Bias adds, activations, normalisation, softmax, pooling and residual adds are not counted.
   */
  flops: number;
}

/** What is wrong with a spec, as user-facing sentences; empty when it is valid. */
export function mlpSpecProblems(spec: MlpSpec): string[] {
  const p: string[] = [];
  requirePosInts(p, spec, ['layers', 'hidden', 'outputSize'], ['outputSize']);
  if (!Array.isArray(spec.inputShape) || spec.inputShape.length === 0 || !spec.inputShape.every(isPosInt)) {
    p.push(`inputShape must be a non-empty list of integers >= 1 (got ${JSON.stringify(spec.inputShape)})`);
  }
  commonProblems(p, spec, 'mlp');
  if (p.length === 0) sizeProblem(p, mlpParameters(spec), spec.dtype);
  return p;
}

/** Layer widths: [flattened input, hidden × layers, output]. */
function widths(spec: MlpSpec): number[] {
  const inFeatures = spec.inputShape.reduce((a, b) => a * b, 1);
  return [inFeatures, ...Array<number>(spec.layers).fill(spec.hidden), spec.outputSize ?? 10];
}

/** Exact parameter count (weights and biases of every Gemm). */
export function mlpParameters(spec: MlpSpec): number {
  const w = widths(spec);
  let n = 0;
  for (let i = 1; i < w.length; i++) n += w[i - 1] * w[i] + w[i];
  return n;
}

export function mlpModelName(spec: MlpSpec): string {
  return `mlp_l${spec.layers}_h${spec.hidden}${spec.dtype === 'float16' ? '_fp16' : ''}`;
}

/** Builds the model; throws if the spec is invalid (see mlpSpecProblems). */
export function buildMlpModel(spec: MlpSpec): GeneratedModel {
  const problems = mlpSpecProblems(spec);
  if (problems.length > 0) throw new RangeError(`invalid mlp spec: ${problems.join('; ')}`);

  const w = widths(spec);
  const uniform = seededSymmetric(spec.seed);
  const nodes: onnx.INodeProto[] = [];
  const initializers: onnx.ITensorProto[] = [];
  let parameters = 0;
  let macs = 0;

  let x = 'input';
  if (spec.inputShape.length > 1) {
    nodes.push({ name: 'flatten', opType: 'Flatten', input: [x], output: ['flatten.out'], attribute: [intAttr('axis', 1)] });
    x = 'flatten.out';
  }
  for (let i = 1; i < w.length; i++) {
    const [fanIn, fanOut] = [w[i - 1], w[i]];
    const isHead = i === w.length - 1;
    const name = isHead ? 'head' : `fc${i - 1}`;
    // Weight stored [out, in] with transB=1, the layout PyTorch exports.
    initializers.push(uniformTensor(`${name}.weight`, [fanOut, fanIn], spec.dtype, uniform, fanIn));
    initializers.push(uniformTensor(`${name}.bias`, [fanOut], spec.dtype, uniform, fanIn));
    const out = isHead ? 'output' : `${name}.out`;
    nodes.push({
      name,
      opType: 'Gemm',
      input: [x, `${name}.weight`, `${name}.bias`],
      output: [out],
      attribute: [intAttr('transB', 1)],
    });
    x = out;
    if (!isHead) {
      nodes.push({ name: `relu${i - 1}`, opType: 'Relu', input: [x], output: [`relu${i - 1}.out`] });
      x = `relu${i - 1}.out`;
    }
    parameters += fanIn * fanOut + fanOut;
    macs += fanIn * fanOut;
  }

  const bytes = encodeModel({
    name: mlpModelName(spec),
    node: nodes,
    initializer: initializers,
    input: [tensorValueInfo('input', ['batch', ...spec.inputShape], spec.dtype)],
    output: [tensorValueInfo('output', ['batch', w[w.length - 1]], spec.dtype)],
  });
  return { bytes, parameters, flops: 2 * macs };
}
