/**
 * Pure generator of synthetic MLP models as ONNX bytes.
 *
 * Same spec → byte-identical model: the artifact cache is content-addressed,
 * so any nondeterminism here would defeat "a sweep compiles once".
 */
import { onnx } from 'onnx-proto';
import { seededSymmetric } from '../rng';

export interface MlpSpec {
  family: 'mlp';
  layers: number;
  hidden: number;
  inputShape: number[];
  /** Default 10. */
  outputSize?: number;
  dtype: 'float32';
  seed: number;
}

export interface GeneratedModel {
  bytes: Uint8Array;
  /** All weight and bias elements. */
  parameters: number;
  /** 2 × multiply-accumulates per sample (per batch item); bias adds and Relu are not counted. */
  flops: number;
}

const OPSET = 17;
const IR_VERSION = 8;
// protobuf messages cannot exceed 2 GiB; leave room for the graph around the weights.
const MAX_WEIGHT_BYTES = 2 ** 31 - 2 ** 20;

const isPosInt = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;

/** What is wrong with a spec, as user-facing sentences; empty when it is valid. */
export function mlpSpecProblems(spec: MlpSpec): string[] {
  const p: string[] = [];
  if (spec.family !== 'mlp') p.push(`family must be "mlp" (got ${JSON.stringify(spec.family)})`);
  if (!isPosInt(spec.layers)) p.push(`layers must be an integer >= 1 (got ${JSON.stringify(spec.layers)})`);
  if (!isPosInt(spec.hidden)) p.push(`hidden must be an integer >= 1 (got ${JSON.stringify(spec.hidden)})`);
  if (!Array.isArray(spec.inputShape) || spec.inputShape.length === 0 || !spec.inputShape.every(isPosInt)) {
    p.push(`inputShape must be a non-empty list of integers >= 1 (got ${JSON.stringify(spec.inputShape)})`);
  }
  if (spec.outputSize !== undefined && !isPosInt(spec.outputSize)) {
    p.push(`outputSize must be an integer >= 1 (got ${JSON.stringify(spec.outputSize)})`);
  }
  if (spec.dtype !== 'float32') p.push(`dtype must be "float32" (got ${JSON.stringify(spec.dtype)})`);
  // xoroshiro128+ in pure-rand takes a 32-bit seed; a wider one would silently collide with another.
  if (!Number.isSafeInteger(spec.seed) || spec.seed < 0 || spec.seed > 0xffffffff) {
    p.push(`seed must be an integer in [0, 2^32) (got ${JSON.stringify(spec.seed)})`);
  }
  if (p.length === 0 && countParameters(spec) * 4 > MAX_WEIGHT_BYTES) {
    p.push(`model too large: ${countParameters(spec)} float32 parameters exceed ONNX's 2 GiB single-file limit`);
  }
  return p;
}

/** Layer widths: [flattened input, hidden × layers, output]. */
function widths(spec: MlpSpec): number[] {
  const inFeatures = spec.inputShape.reduce((a, b) => a * b, 1);
  return [inFeatures, ...Array<number>(spec.layers).fill(spec.hidden), spec.outputSize ?? 10];
}

function countParameters(spec: MlpSpec): number {
  const w = widths(spec);
  let n = 0;
  for (let i = 1; i < w.length; i++) n += w[i - 1] * w[i] + w[i];
  return n;
}

export function mlpModelName(spec: MlpSpec): string {
  return `mlp_l${spec.layers}_h${spec.hidden}`;
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
    // PyTorch's default Linear init range: keeps activations O(1) through the stack.
    const bound = 1 / Math.sqrt(fanIn);
    // Weight stored [out, in] with transB=1, the layout PyTorch exports.
    initializers.push(floatTensor(`${name}.weight`, [fanOut, fanIn], uniform, bound));
    initializers.push(floatTensor(`${name}.bias`, [fanOut], uniform, bound));
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

  const modelName = mlpModelName(spec);
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'servebench',
    graph: {
      name: modelName,
      node: nodes,
      initializer: initializers,
      input: [tensorValueInfo('input', ['batch', ...spec.inputShape])],
      output: [tensorValueInfo('output', ['batch', w[w.length - 1]])],
    },
  });
  const bytes = onnx.ModelProto.encode(model).finish();
  return { bytes, parameters, flops: 2 * macs };
}

function floatTensor(name: string, dims: number[], uniform: (bound: number) => number, bound: number): onnx.ITensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  const raw = new Uint8Array(count * 4);
  const view = new DataView(raw.buffer);
  // ONNX raw_data is little-endian regardless of host.
  for (let i = 0; i < count; i++) view.setFloat32(i * 4, uniform(bound), true);
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw };
}

function tensorValueInfo(name: string, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

function intAttr(name: string, value: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}
