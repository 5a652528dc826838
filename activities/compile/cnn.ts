/**
 * Pure generator of ResNet-style CNNs as ONNX bytes, over an image input [batch, C, H, W]:
 *   stem Conv3×3 + Relu → `layers` basic residual blocks in `stages` stages → GlobalAveragePool → Flatten → Gemm.
 * A block is Conv3×3-Relu-Conv3×3, plus the skip, then Relu. Stage i has channels·2^i channels; every stage
 * after the first opens with a stride-2 block whose skip is a 1×1 stride-2 Conv (ResNet's projection).
 * No BatchNorm: at inference it folds into the conv anyway, and convs carry a bias instead.
 */
import type { onnx } from 'onnx-proto';
import { seededSymmetric } from '../rng';
import type { GeneratedModel } from './mlp';
import { encodeModel, intAttr, intsAttr, tensorValueInfo, uniformTensor, type Dtype } from './onnx-build';
import { commonProblems, isPosInt, requirePosInts, sizeProblem } from './spec-checks';

export interface CnnSpec {
  family: 'cnn';
  /** [C, H, W]. */
  inputShape: number[];
  /** Residual blocks in all. */
  layers: number;
  /** Width of the stem and the first stage. */
  channels: number;
  /** Default 1 (no downsampling); at most `layers`. */
  stages?: number;
  /** Default 10. */
  outputSize?: number;
  dtype: Dtype;
  seed: number;
}

interface Block { cin: number; cout: number; stride: number; inH: number; inW: number }

/** One entry per residual block, in order. */
function blocks(spec: CnnSpec): Block[] {
  const stages = spec.stages ?? 1;
  const out: Block[] = [];
  let [c, h, w] = [spec.channels, spec.inputShape[1], spec.inputShape[2]];
  for (let s = 0; s < stages; s++) {
    // Spread the blocks as evenly as possible, earlier stages taking the remainder.
    const n = Math.floor(spec.layers / stages) + (s < spec.layers % stages ? 1 : 0);
    for (let b = 0; b < n; b++) {
      const down = s > 0 && b === 0;
      const cout = spec.channels * 2 ** s;
      out.push({ cin: c, cout, stride: down ? 2 : 1, inH: h, inW: w });
      if (down) [h, w] = [Math.ceil(h / 2), Math.ceil(w / 2)];
      c = cout;
    }
  }
  return out;
}

const outDim = (d: number, stride: number) => (stride === 2 ? Math.ceil(d / 2) : d);
const lastChannels = (spec: CnnSpec) => spec.channels * 2 ** ((spec.stages ?? 1) - 1);

/** Exact parameter count and per-sample FLOPs, from the same block list the builder uses. */
export function cnnCost(spec: CnnSpec): { parameters: number; flops: number } {
  const [C, H, W] = spec.inputShape;
  const o = spec.outputSize ?? 10;
  let params = C * spec.channels * 9 + spec.channels;
  let macs = H * W * spec.channels * C * 9;
  for (const b of blocks(spec)) {
    const hw = outDim(b.inH, b.stride) * outDim(b.inW, b.stride);
    params += b.cin * b.cout * 9 + b.cout + b.cout * b.cout * 9 + b.cout;
    macs += hw * b.cout * (b.cin * 9 + b.cout * 9);
    if (b.stride !== 1 || b.cin !== b.cout) {
      params += b.cin * b.cout + b.cout;
      macs += hw * b.cout * b.cin;
    }
  }
  const c = lastChannels(spec);
  return { parameters: params + c * o + o, flops: 2 * (macs + c * o) };
}

export function cnnSpecProblems(spec: CnnSpec): string[] {
  const p: string[] = [];
  requirePosInts(p, spec, ['layers', 'channels', 'stages', 'outputSize'], ['stages', 'outputSize']);
  if (!Array.isArray(spec.inputShape) || spec.inputShape.length !== 3 || !spec.inputShape.every(isPosInt)) {
    p.push(`inputShape must be [channels, height, width], three integers >= 1 (got ${JSON.stringify(spec.inputShape)})`);
  }
  if (isPosInt(spec.stages) && isPosInt(spec.layers) && spec.stages! > spec.layers) {
    p.push(`stages must be at most layers (each stage needs a block; got stages ${spec.stages}, layers ${spec.layers})`);
  }
  // 2^stages must stay a sane channel multiplier.
  if (isPosInt(spec.stages) && spec.stages! > 16) p.push(`stages must be at most 16 (got ${spec.stages})`);
  commonProblems(p, spec, 'cnn');
  if (p.length === 0) sizeProblem(p, cnnCost(spec).parameters, spec.dtype);
  return p;
}

export function cnnModelName(spec: CnnSpec): string {
  const stages = (spec.stages ?? 1) > 1 ? `_s${spec.stages}` : '';
  return `cnn_l${spec.layers}_c${spec.channels}${stages}${spec.dtype === 'float16' ? '_fp16' : ''}`;
}

export function buildCnnModel(spec: CnnSpec): GeneratedModel {
  const problems = cnnSpecProblems(spec);
  if (problems.length > 0) throw new RangeError(`invalid cnn spec: ${problems.join('; ')}`);
  const uniform = seededSymmetric(spec.seed);
  const nodes: onnx.INodeProto[] = [];
  const inits: onnx.ITensorProto[] = [];

  const conv = (name: string, x: string, cin: number, cout: number, k: number, stride: number): string => {
    const fanIn = cin * k * k;
    inits.push(uniformTensor(`${name}.weight`, [cout, cin, k, k], spec.dtype, uniform, fanIn));
    inits.push(uniformTensor(`${name}.bias`, [cout], spec.dtype, uniform, fanIn));
    const pad = (k - 1) / 2;
    nodes.push({
      name, opType: 'Conv', input: [x, `${name}.weight`, `${name}.bias`], output: [`${name}.out`],
      attribute: [intsAttr('kernel_shape', [k, k]), intsAttr('pads', [pad, pad, pad, pad]), intsAttr('strides', [stride, stride])],
    });
    return `${name}.out`;
  };
  const relu = (name: string, x: string): string => {
    nodes.push({ name, opType: 'Relu', input: [x], output: [`${name}.out`] });
    return `${name}.out`;
  };

  let x = relu('stem.relu', conv('stem.conv', 'input', spec.inputShape[0], spec.channels, 3, 1));
  blocks(spec).forEach((b, i) => {
    const n = `block${i}`;
    const y = conv(`${n}.conv2`, relu(`${n}.relu1`, conv(`${n}.conv1`, x, b.cin, b.cout, 3, b.stride)), b.cout, b.cout, 3, 1);
    const skip = b.stride !== 1 || b.cin !== b.cout ? conv(`${n}.proj`, x, b.cin, b.cout, 1, b.stride) : x;
    nodes.push({ name: `${n}.add`, opType: 'Add', input: [y, skip], output: [`${n}.add.out`] });
    x = relu(`${n}.relu2`, `${n}.add.out`);
  });

  const c = lastChannels(spec);
  const o = spec.outputSize ?? 10;
  nodes.push({ name: 'pool', opType: 'GlobalAveragePool', input: [x], output: ['pool.out'] });
  nodes.push({ name: 'flatten', opType: 'Flatten', input: ['pool.out'], output: ['flatten.out'], attribute: [intAttr('axis', 1)] });
  inits.push(uniformTensor('head.weight', [o, c], spec.dtype, uniform, c));
  inits.push(uniformTensor('head.bias', [o], spec.dtype, uniform, c));
  nodes.push({ name: 'head', opType: 'Gemm', input: ['flatten.out', 'head.weight', 'head.bias'], output: ['output'], attribute: [intAttr('transB', 1)] });

  const bytes = encodeModel({
    name: cnnModelName(spec),
    node: nodes,
    initializer: inits,
    input: [tensorValueInfo('input', ['batch', ...spec.inputShape], spec.dtype)],
    output: [tensorValueInfo('output', ['batch', o], spec.dtype)],
  });
  return { bytes, ...cnnCost(spec) };
}
