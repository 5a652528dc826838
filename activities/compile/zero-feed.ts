/** Zero-filled input tensors (dynamic dims → 1) for a smoke run. */
import { Tensor } from 'onnxruntime-node';
import type { TensorInfo } from './types';

/** Throws a plain Error naming the input whose datatype cannot be fed. */
export function zeroFeeds(inputs: TensorInfo[]): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const input of inputs) {
    const dims = input.shape.map((d) => (d < 0 ? 1 : d));
    const n = dims.reduce((a, b) => a * b, 1);
    feeds[input.name] = zeroTensor(input, n, dims);
  }
  return feeds;
}

function zeroTensor(input: TensorInfo, n: number, dims: number[]): Tensor {
  switch (input.datatype) {
    case 'FP32': return new Tensor('float32', new Float32Array(n), dims);
    case 'FP64': return new Tensor('float64', new Float64Array(n), dims);
    case 'FP16': return new Tensor('float16', new Uint16Array(n), dims);
    case 'INT8': return new Tensor('int8', new Int8Array(n), dims);
    case 'INT16': return new Tensor('int16', new Int16Array(n), dims);
    case 'INT32': return new Tensor('int32', new Int32Array(n), dims);
    case 'INT64': return new Tensor('int64', new BigInt64Array(n), dims);
    case 'UINT8': return new Tensor('uint8', new Uint8Array(n), dims);
    case 'UINT16': return new Tensor('uint16', new Uint16Array(n), dims);
    case 'UINT32': return new Tensor('uint32', new Uint32Array(n), dims);
    case 'UINT64': return new Tensor('uint64', new BigUint64Array(n), dims);
    case 'BOOL': return new Tensor('bool', new Uint8Array(n), dims);
    case 'BYTES': return new Tensor('string', Array<string>(n).fill(''), dims);
    default: throw new Error(`input "${input.name}" has datatype ${input.datatype}, which onnxruntime-node cannot feed`);
  }
}
