/**
 * Concatenating requests along dim 0 into one model run, and splitting the
 * run's outputs back per request (as zero-copy views). Pure.
 */
import type { InferJob } from './infer-protocol';
import type { IoSpec } from './model-spec';
import { allocTyped, type TypedArray } from './tensor-codec';

export interface Tensors {
  dims: number[][];
  data: TypedArray[];
}

type Settable = TypedArray & { set(src: ArrayLike<number | bigint>, offset: number): void };

/** One run's feeds for a batch; a single job passes through without a copy. */
export function concatInputs(batch: readonly InferJob[], inputs: readonly IoSpec[]): Tensors {
  if (batch.length === 1) return { dims: batch[0].shapes, data: batch[0].data };
  let rows = 0;
  for (const job of batch) rows += job.rows;
  const dims: number[][] = [];
  const data: TypedArray[] = [];
  for (let i = 0; i < inputs.length; i++) {
    // Jobs in one batch share a key, so their non-batch dims are equal.
    const rowShape = batch[0].shapes[i].slice(1);
    let rowElems = 1;
    for (const d of rowShape) rowElems *= d;
    const out = allocTyped(inputs[i].type, rows * rowElems) as Settable;
    let offset = 0;
    for (const job of batch) {
      out.set(job.data[i] as ArrayLike<number | bigint>, offset);
      offset += job.rows * rowElems;
    }
    dims.push([rows, ...rowShape]);
    data.push(out);
  }
  return { dims, data };
}

/** Per job, its rows of every output. Throws if an output's dim 0 is not the batch's rows. */
export function splitOutputs(batch: readonly InferJob[], out: Tensors): Tensors[] {
  if (batch.length === 1) return [out];
  let rows = 0;
  for (const job of batch) rows += job.rows;
  const parts: Tensors[] = batch.map(() => ({ dims: [], data: [] }));
  for (let k = 0; k < out.dims.length; k++) {
    const dims = out.dims[k];
    if (dims[0] !== rows) throw new Error(`output ${k} has dim 0 = ${dims[0]}, not the batch's ${rows} rows; cannot split it`);
    const rowElems = rows === 0 ? 0 : out.data[k].length / rows;
    const rest = dims.slice(1);
    let row = 0;
    for (let j = 0; j < batch.length; j++) {
      const r = batch[j].rows;
      parts[j].dims.push([r, ...rest]);
      parts[j].data.push(out.data[k].subarray(row * rowElems, (row + r) * rowElems));
      row += r;
    }
  }
  return parts;
}
