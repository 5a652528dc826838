/**
 * KServe v2 infer request validation (→ typed tensors in model input order)
 * and response encoding (→ JSON text). No I/O.
 */
import type { Queued } from './batcher';
import type { ModelSpec } from './model-spec';
import { BinaryReader, tensorBytes } from './binary-tensor';
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
  /** Per returned output (in `outputs` order, or model order when null): send it as binary data. Null = none. */
  binaryOutputs: boolean[] | null;
  /** Set by the transport: where the reply goes. */
  ctx: unknown;
  /** Set by the transport: the client marked it as one of its measured window's (stats.ts). */
  measured?: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const fmtShape = (s: readonly number[]): string => `[${s.join(',')}]`;

/**
 * Validates a parsed JSON body against the model. `batching` asks for the
 * merge key and requires the inputs to agree on dim 0. `binary` is the tail of
 * a binary-tensor-data body (inputs with parameters.binary_data_size read from
 * it, in order). Throws BadRequest.
 */
export function parseInferRequest(body: unknown, spec: ModelSpec, batching: boolean, binary?: Buffer): InferJob {
  if (!isObj(body)) throw new BadRequest('request body must be a JSON object');
  const { id, inputs, outputs, parameters } = body;
  const reader = binary ? new BinaryReader(binary) : null;
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
    let count = 1;
    for (let d = 0; d < shape.length; d++) count *= shape[d];
    const binarySize = isObj(inp.parameters) ? inp.parameters.binary_data_size : undefined;
    if (binarySize === undefined && !Array.isArray(inp.data)) throw new BadRequest(`input '${name}' needs a 'data' array`);
    if (binarySize !== undefined && !reader) {
      throw new BadRequest(`input '${name}' has binary_data_size but the request has no Inference-Header-Content-Length header`);
    }
    try {
      data[idx] = binarySize === undefined ? decodeData(io.type, inp.data as unknown[], count) : reader!.take(io.type, binarySize as number, count);
    } catch (e) {
      throw new BadRequest(`input '${name}' ${(e as Error).message}`);
    }
    shapes[idx] = shape;
  }
  if (inputs.length !== n) {
    const missing = spec.inputs.filter((_, i) => data[i] === undefined).map((io) => `'${io.name}'`);
    throw new BadRequest(`missing input ${missing.join(', ')} for model '${spec.name}'`);
  }

  const { rows, key } = batchOf(spec, shapes, batching);
  if (reader && reader.remaining !== 0) throw new BadRequest(`${reader.remaining} bytes of binary data are not claimed by any input`);
  const binaryDefault = isObj(parameters) && parameters.binary_data_output === true;
  const picked = parseOutputs(outputs, spec, binaryDefault);
  return { id, data, shapes, outputs: picked.indices, binaryOutputs: picked.binary, rows, key, arrivalMs: 0, ctx: null };
}

/** A request's rows (its batch dim, 1 for an unbatchable model) and, with batching, the key of requests it may merge with. */
export function batchOf(spec: ModelSpec, shapes: number[][], batching: boolean): { rows: number; key: string } {
  const n = shapes.length;
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
  return { rows, key };
}

/** The input's shape if it fits the model's declared one (-1 = any); throws BadRequest. */
export function checkShape(name: string, shape: unknown, expected: number[]): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    throw new BadRequest(`input '${name}' needs a 'shape' array of non-negative integers`);
  }
  const ok = shape.length === expected.length && expected.every((d, i) => d === -1 || d === shape[i]);
  if (!ok) throw new BadRequest(`input '${name}' has shape ${fmtShape(shape)} but model expects ${fmtShape(expected)}`);
  return shape as number[];
}

function parseOutputs(outputs: unknown, spec: ModelSpec, binaryDefault: boolean): { indices: number[] | null; binary: boolean[] | null } {
  if (outputs === undefined) return { indices: null, binary: binaryDefault ? spec.outputs.map(() => true) : null };
  if (!Array.isArray(outputs)) throw new BadRequest("'outputs' must be an array");
  const binary: boolean[] = [];
  const indices = outputs.map((o) => {
    const idx = isObj(o) && typeof o.name === 'string' ? spec.outputIndex.get(o.name) : undefined;
    if (idx === undefined) {
      const name = isObj(o) ? String(o.name) : String(o);
      throw new BadRequest(`unknown output '${name}' for model '${spec.name}'`);
    }
    const flag = isObj(o) && isObj(o.parameters) ? o.parameters.binary_data : undefined;
    binary.push(typeof flag === 'boolean' ? flag : binaryDefault);
    return idx;
  });
  return { indices, binary: binary.some((b) => b) ? binary : null };
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

/**
 * A binary-tensor-data response: the JSON header (outputs flagged in `binary`
 * carry parameters.binary_data_size instead of data) and the raw tensors, in order.
 */
export function encodeBinaryInferResponse(
  spec: ModelSpec,
  id: string | undefined,
  dims: readonly number[][],
  data: readonly TypedArray[],
  which: number[] | null,
  binary: readonly boolean[],
): { header: string; tensors: Buffer[] } {
  let s = spec.responsePrefix;
  if (id !== undefined) s += ',"id":' + JSON.stringify(id);
  s += ',"outputs":[';
  const tensors: Buffer[] = [];
  const count = which ? which.length : spec.outputs.length;
  for (let j = 0; j < count; j++) {
    const k = which ? which[j] : j;
    const io = spec.outputs[k];
    if (j > 0) s += ',';
    s += io.jsonPrefix + dims[k].join(',') + ']';
    if (binary[j] && ArrayBuffer.isView(data[k])) {
      const bytes = tensorBytes(data[k]);
      tensors.push(bytes);
      s += ',"parameters":{"binary_data_size":' + bytes.length + '}}';
    } else s += ',"data":' + encodeData(io.type, data[k]) + '}';
  }
  return { header: s + ']}', tensors };
}
