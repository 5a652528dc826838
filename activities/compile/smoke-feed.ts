/** onnxruntime tensors for the compile's smoke run: the first request the load generator will send. */
import { Tensor } from 'onnxruntime-node';
import { prepareRequests, describeIssues, type InputSettings } from '../inputs/prepare';
import { describeShapes } from '../inputs/resolve';
import { ortTypeOf } from '../serve/tensor-codec';
import type { TensorInfo } from './types';

/** Throws a plain Error naming what cannot be fed. */
export function smokeFeeds(inputs: TensorInfo[], settings: InputSettings): { feeds: Record<string, Tensor>; shapes: string } {
  const prepared = prepareRequests(inputs, settings);
  if (!prepared.requests) throw new Error(describeIssues(prepared.issues));
  const feeds: Record<string, Tensor> = {};
  for (const t of prepared.requests[0]) {
    const type = t.datatype === 'BYTES' ? 'string' : ortTypeOf(t.datatype);
    if (!type) throw new Error(`input "${t.name}" has datatype ${t.datatype}, which onnxruntime-node cannot feed`);
    feeds[t.name] = new Tensor(type, t.data as never, t.shape);
  }
  return { feeds, shapes: describeShapes(prepared.requests[0]) };
}
