/**
 * Pure generator of transformer encoders as ONNX bytes, over a float input [batch, seqLen, hidden]
 * (already-embedded tokens: no embedding lookup, so the load generator's random floats are valid input).
 *
 * Pre-LN blocks (as in GPT-2/ViT): x += Attn(LN(x)); x += FFN(LN(x)), FFN = MatMul-Relu-MatMul (Gelu is
 * opset 20; this is opset 17). Then a final LayerNorm, mean over the sequence, and a Gemm head to
 * [batch, outputSize]: a pooled output keeps responses small, so a benchmark measures the model rather
 * than the serialisation of a seqLen × hidden tensor.
 */
import type { onnx } from 'onnx-proto';
import { seededSymmetric } from '../rng';
import type { GeneratedModel } from './mlp';
import {
  constTensor, encodeModel, floatAttr, int64Constant, intAttr, intsAttr, scalarConstant, tensorValueInfo, uniformTensor, type Dtype,
} from './onnx-build';
import { commonProblems, isPosInt, requirePosInts, sizeProblem } from './spec-checks';

export interface TransformerSpec {
  family: 'transformer';
  seqLen: number;
  /** d_model. */
  hidden: number;
  /** Attention heads; must divide hidden. */
  heads: number;
  /** Encoder blocks. */
  layers: number;
  /** FFN inner width; default 4 × hidden. */
  ffn?: number;
  /** Default 10. */
  outputSize?: number;
  dtype: Dtype;
  seed: number;
}

/** Exact parameter count and per-sample FLOPs (matrix products only, incl. QKᵀ and attention × V). */
export function transformerCost(spec: TransformerSpec): { parameters: number; flops: number } {
  const { seqLen: s, hidden: d, layers: L } = spec;
  const f = spec.ffn ?? 4 * d;
  const o = spec.outputSize ?? 10;
  // Per block: 2 LayerNorms, Q/K/V/out projections with bias, FFN with biases.
  const perBlock = 2 * 2 * d + 4 * (d * d + d) + (d * f + f) + (f * d + d);
  const macsPerBlock = 4 * s * d * d + 2 * s * s * d + 2 * s * d * f;
  return { parameters: L * perBlock + 2 * d + d * o + o, flops: 2 * (L * macsPerBlock + d * o) };
}

export function transformerSpecProblems(spec: TransformerSpec): string[] {
  const p: string[] = [];
  requirePosInts(p, spec, ['seqLen', 'hidden', 'heads', 'layers', 'ffn', 'outputSize'], ['ffn', 'outputSize']);
  if (isPosInt(spec.hidden) && isPosInt(spec.heads) && spec.hidden % spec.heads !== 0) {
    p.push(`heads must divide hidden (got hidden ${spec.hidden}, heads ${spec.heads})`);
  }
  commonProblems(p, spec, 'transformer');
  if (p.length === 0) sizeProblem(p, transformerCost(spec).parameters, spec.dtype);
  return p;
}

export function transformerModelName(spec: TransformerSpec): string {
  return `transformer_l${spec.layers}_h${spec.hidden}_a${spec.heads}_s${spec.seqLen}${spec.dtype === 'float16' ? '_fp16' : ''}`;
}

export function buildTransformerModel(spec: TransformerSpec): GeneratedModel {
  const problems = transformerSpecProblems(spec);
  if (problems.length > 0) throw new RangeError(`invalid transformer spec: ${problems.join('; ')}`);
  const { seqLen: s, hidden: d, heads: h, dtype } = spec;
  const f = spec.ffn ?? 4 * d;
  const o = spec.outputSize ?? 10;
  const dh = d / h;
  const uniform = seededSymmetric(spec.seed);
  const nodes: onnx.INodeProto[] = [];
  const inits: onnx.ITensorProto[] = [];
  const op = (name: string, opType: string, input: string[], attribute: onnx.IAttributeProto[] = []): string => {
    nodes.push({ name, opType, input, output: [`${name}.out`], attribute });
    return `${name}.out`;
  };
  // x @ W + b with W stored [in, out] (MatMul on a 3-D activation; Gemm is 2-D only).
  const linear = (name: string, x: string, fanIn: number, fanOut: number): string => {
    inits.push(uniformTensor(`${name}.weight`, [fanIn, fanOut], dtype, uniform, fanIn));
    inits.push(uniformTensor(`${name}.bias`, [fanOut], dtype, uniform, fanIn));
    return op(`${name}.add`, 'Add', [op(`${name}.matmul`, 'MatMul', [x, `${name}.weight`]), `${name}.bias`]);
  };
  // PyTorch's LayerNorm init: scale 1, shift 0.
  const layerNorm = (name: string, x: string): string => {
    inits.push(constTensor(`${name}.weight`, [d], dtype, 1), constTensor(`${name}.bias`, [d], dtype, 0));
    return op(name, 'LayerNormalization', [x, `${name}.weight`, `${name}.bias`], [intAttr('axis', -1), floatAttr('epsilon', 1e-5)]);
  };

  // Shape constants are Constant nodes, not initializers, so readModelInfo counts only weights as parameters.
  nodes.push(int64Constant('heads_shape', [0, s, h, dh]), int64Constant('merged_shape', [0, s, d]));
  nodes.push(scalarConstant('attn_scale', dtype, 1 / Math.sqrt(dh)));

  let x = 'input';
  for (let i = 0; i < spec.layers; i++) {
    const n = `block${i}`;
    const a = layerNorm(`${n}.ln1`, x);
    // [b, s, d] → [b, s, h, dh] → [b, h, s, dh]; K goes straight to [b, h, dh, s] for QKᵀ.
    const split = (name: string, perm: number[]) =>
      op(`${n}.${name}.t`, 'Transpose', [op(`${n}.${name}.r`, 'Reshape', [linear(`${n}.${name}`, a, d, d), 'heads_shape'])], [intsAttr('perm', perm)]);
    const q = split('q', [0, 2, 1, 3]);
    const k = split('k', [0, 2, 3, 1]);
    const v = split('v', [0, 2, 1, 3]);
    const scores = op(`${n}.scale`, 'Mul', [op(`${n}.qk`, 'MatMul', [q, k]), 'attn_scale']);
    const ctx = op(`${n}.av`, 'MatMul', [op(`${n}.softmax`, 'Softmax', [scores], [intAttr('axis', -1)]), v]);
    const merged = op(`${n}.merge.r`, 'Reshape', [op(`${n}.merge.t`, 'Transpose', [ctx], [intsAttr('perm', [0, 2, 1, 3])]), 'merged_shape']);
    x = op(`${n}.res1`, 'Add', [x, linear(`${n}.o`, merged, d, d)]);
    const m = op(`${n}.relu`, 'Relu', [linear(`${n}.ffn1`, layerNorm(`${n}.ln2`, x), d, f)]);
    x = op(`${n}.res2`, 'Add', [x, linear(`${n}.ffn2`, m, f, d)]);
  }
  const pooled = op('pool', 'ReduceMean', [layerNorm('ln_f', x)], [intsAttr('axes', [1]), intAttr('keepdims', 0)]);
  inits.push(uniformTensor('head.weight', [o, d], dtype, uniform, d), uniformTensor('head.bias', [o], dtype, uniform, d));
  nodes.push({ name: 'head', opType: 'Gemm', input: [pooled, 'head.weight', 'head.bias'], output: ['output'], attribute: [intAttr('transB', 1)] });

  const bytes = encodeModel({
    name: transformerModelName(spec),
    node: nodes,
    initializer: inits,
    input: [tensorValueInfo('input', ['batch', s, d], dtype)],
    output: [tensorValueInfo('output', ['batch', o], dtype)],
  });
  return { bytes, ...transformerCost(spec) };
}
