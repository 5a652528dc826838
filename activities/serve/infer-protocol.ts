/**
 * KServe v2 infer request validation (→ typed tensors in model input order)
 * and response encoding (→ JSON text). No I/O.
 */
import type { Queued } from './batcher';
import type { ModelSpec } from './model-spec';
import { decodeData, encodeData, ortTypeOf, type TypedArray } from './tensor-codec';

/** A client error: answered with 400 and this message. */
export class BadRequest extends Error {}

export interface InferJob extends Queued {
  /** The request's id, echoed in the response. */
  id: string | undefined;
  /** Per model input, in model order. */
  data: TypedArray[];
  shapes: number[][];
  /** Indices of the outputs to return; null = all. */
  outputs: number[] | null;
  /** Set by the transport: where the reply goes. */
  ctx: unknown;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const fmtShape = (s: readonly number[]): string => `[${s.join(',')}]`;

/**
 * Validates a parsed JSON body against the model. `batching` asks for the
 * merge key and requires the inputs to agree on dim 0. Throws BadRequest.
 */
export function parseInferRequest(body: unknown, spec: ModelSpec, batching: boolean): InferJob {
  if (!isObj(body)) throw new BadRequest('request body must be a JSON object');
  const { id, inputs, outputs } = body;
  if (id !== undefined && typeof id !== 'string') throw new BadRequest("'id' must be a string");
  if (!Array.isArray(inputs)) throw new BadRequest("request needs an 'inputs' array");

  const n = spec.inputs.length;
  const data = new Array<TypedArray>(n);
  const shapes = new Array<number[]>(n);
  for (const inp of inputs) {
    if (!isObj(inp)) throw new BadRequest("each entry of 'inputs' must be an object");
    const name = inp.name;
    const idx = typeof name === 'string' ? spec.inputIndex.get(name) : undefined;
    if (idx === undefined) {
      const expected = spec.inputs.map((io) => `'${io.name}'`).join(', ');
      throw new BadRequest(`unknown input '${String(name)}' for model '${spec.name}' (expects ${expected})`);
    }
    if (data[idx] !== undefined) throw new BadRequest(`input '${name}' is given more than once`);
    const io = spec.inputs[idx];
    if (inp.datatype !== io.datatype) {
      throw new BadRequest(`input '${name}' has datatype ${String(inp.datatype)} but model expects ${io.datatype}`);
    }
    if (ortTypeOf(io.datatype) === undefined) {
      throw new BadRequest(`input '${name}' has datatype ${io.datatype}, which this server cannot carry`);
    }
    const shape = checkShape(name as string, inp.shape, io.shape);
    if (!Array.isArray(inp.data)) throw new BadRequest(`input '${name}' needs a 'data' array`);
    let count = 1;
    for (let d = 0; d < shape.length; d++) count *= shape[d];
    try {
      data[idx] = decodeData(io.type, inp.data, count);
    } catch (e) {
      throw new BadRequest(`input '${name}' ${(e as Error).message}`);
    }
    shapes[idx] = shape;
  }
  if (inputs.length !== n) {
    const missing = spec.inputs.filter((_, i) => data[i] === undefined).map((io) => `'${io.name}'`);
    throw new BadRequest(`missing input ${missing.join(', ')} for model '${spec.name}'`);
  }

  let rows = 1;
  let key = '';
  if (spec.batchable) {
    rows = shapes[0][0];
    if (batching) {
      for (let i = 1; i < n; i++) {
        if (shapes[i][0] !== rows) throw new BadRequest(`inputs disagree on the batch dim (${rows} vs ${shapes[i][0]})`);
      }
      key = n === 1 ? shapes[0].slice(1).join(',') : shapes.map((s) => s.slice(1).join(',')).join(';');
    }
  }
  return { id, data, shapes, outputs: parseOutputs(outputs, spec), rows, key, arrivalMs: 0, ctx: null };
}

function checkShape(name: string, shape: unknown, expected: number[]): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    throw new BadRequest(`input '${name}' needs a 'shape' array of non-negative integers`);
  }
  const ok = shape.length === expected.length && expected.every((d, i) => d === -1 || d === shape[i]);
  if (!ok) throw new BadRequest(`input '${name}' has shape ${fmtShape(shape)} but model expects ${fmtShape(expected)}`);
  return shape as number[];
}

function parseOutputs(outputs: unknown, spec: ModelSpec): number[] | null {
  if (outputs === undefined) return null;
  if (!Array.isArray(outputs)) throw new BadRequest("'outputs' must be an array");
  return outputs.map((o) => {
    const idx = isObj(o) && typeof o.name === 'string' ? spec.outputIndex.get(o.name) : undefined;
    if (idx === undefined) {
      const name = isObj(o) ? String(o.name) : String(o);
      throw new BadRequest(`unknown output '${name}' for model '${spec.name}'`);
    }
    return idx;
  });
}

/** The response body for one request; dims/data are per model output, in model order. */
export function encodeInferResponse(
  spec: ModelSpec,
  id: string | undefined,
  dims: readonly number[][],
  data: readonly TypedArray[],
  which: number[] | null,
): string {
  let s = spec.responsePrefix;
  if (id !== undefined) s += ',"id":' + JSON.stringify(id);
  s += ',"outputs":[';
  const count = which ? which.length : spec.outputs.length;
  for (let j = 0; j < count; j++) {
    const k = which ? which[j] : j;
    const io = spec.outputs[k];
    if (j > 0) s += ',';
    s += io.jsonPrefix + dims[k].join(',') + '],"data":' + encodeData(io.type, data[k]) + '}';
  }
  return s + ']}';
}
