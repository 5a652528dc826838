/**
 * KServe v2 gRPC messages <-> the built-in server's jobs, pure: a ModelInferRequest (plain object) validated
 * into an InferJob, with its tensors read from raw_input_contents (what tritonclient and perf_analyzer send)
 * or from typed `contents`; outputs answered as raw_output_contents, as Triton does.
 */
import { elementBytes, rawTensorBytes } from './binary-tensor';
import type { GrpcInferRequest, GrpcInferResponse, GrpcTensorContents } from './grpc-proto';
import { BadRequest, batchOf, checkShape, type InferJob } from './infer-protocol';
import { MODEL_VERSION, type ModelSpec } from './model-spec';
import { allocTyped, decodeData, ortTypeOf, type OrtType, type TypedArray } from './tensor-codec';

/** A request for a model or version this server does not serve (→ NOT_FOUND). */
export class UnknownModel extends Error {}

/** The typed `contents` field that carries each datatype (FP16 has none: it travels raw only). */
const CONTENTS_FIELD: Record<string, keyof GrpcTensorContents> = {
  BOOL: 'bool_contents', INT8: 'int_contents', INT16: 'int_contents', INT32: 'int_contents', INT64: 'int64_contents',
  UINT8: 'uint_contents', UINT16: 'uint_contents', UINT32: 'uint_contents', UINT64: 'uint64_contents',
  FP32: 'fp32_contents', FP64: 'fp64_contents', BYTES: 'bytes_contents',
};

export function contentsField(datatype: string): keyof GrpcTensorContents | undefined {
  return CONTENTS_FIELD[datatype];
}

/** Throws UnknownModel unless `name` (and `version`, when given) is the served model. */
export function checkModel(spec: ModelSpec, name: string, version: string | undefined): void {
  if (name !== spec.name) throw new UnknownModel(`unknown model '${name}'`);
  if (version && version !== MODEL_VERSION) throw new UnknownModel(`unknown version '${version}' of model '${name}'`);
}

/** Validates a decoded ModelInferRequest against the model (see parseInferRequest for `batching`); throws BadRequest or UnknownModel. */
export function parseGrpcInferRequest(req: GrpcInferRequest, spec: ModelSpec, batching: boolean): InferJob {
  checkModel(spec, req.model_name, req.model_version);
  const inputs = req.inputs ?? [];
  const raw = req.raw_input_contents ?? [];
  if (raw.length > 0 && raw.length !== inputs.length) {
    throw new BadRequest(`raw_input_contents has ${raw.length} entries but the request has ${inputs.length} inputs (one each, in order)`);
  }
  const n = spec.inputs.length;
  const data = new Array<TypedArray>(n);
  const shapes = new Array<number[]>(n);
  inputs.forEach((inp, i) => {
    const idx = spec.inputIndex.get(inp.name);
    if (idx === undefined) {
      const expected = spec.inputs.map((io) => `'${io.name}'`).join(', ');
      throw new BadRequest(`unknown input '${inp.name}' for model '${spec.name}' (expects ${expected})`);
    }
    if (data[idx] !== undefined) throw new BadRequest(`input '${inp.name}' is given more than once`);
    const io = spec.inputs[idx];
    if (inp.datatype !== io.datatype) throw new BadRequest(`input '${inp.name}' has datatype ${inp.datatype} but model expects ${io.datatype}`);
    const type = ortTypeOf(io.datatype);
    if (type === undefined) throw new BadRequest(`input '${inp.name}' has datatype ${io.datatype}, which this server cannot carry`);
    const shape = checkShape(inp.name, inp.shape, io.shape);
    let count = 1;
    for (const d of shape) count *= d;
    data[idx] = raw.length > 0 ? fromRaw(inp.name, i, type, raw[i], count, hasContents(inp.contents)) : fromContents(inp.name, io.datatype, type, inp.contents, count);
    shapes[idx] = shape;
  });
  if (inputs.length !== n) {
    const missing = spec.inputs.filter((_, i) => data[i] === undefined).map((io) => `'${io.name}'`);
    throw new BadRequest(`missing input ${missing.join(', ')} for model '${spec.name}'`);
  }
  const { rows, key } = batchOf(spec, shapes, batching);
  let outputs: number[] | null = null;
  if (req.outputs && req.outputs.length > 0) {
    outputs = req.outputs.map((o) => {
      const idx = spec.outputIndex.get(o.name);
      if (idx === undefined) throw new BadRequest(`unknown output '${o.name}' for model '${spec.name}'`);
      return idx;
    });
  }
  return { id: req.id || undefined, data, shapes, outputs, binaryOutputs: null, rows, key, arrivalMs: 0, ctx: null };
}

function hasContents(c: GrpcTensorContents | null | undefined): boolean {
  return !!c && Object.values(c).some((v) => Array.isArray(v) && v.length > 0);
}

function fromRaw(name: string, i: number, type: OrtType, bytes: Buffer, count: number, alsoContents: boolean): TypedArray {
  if (alsoContents) throw new BadRequest(`input '${name}' has contents, but the request carries its tensors in raw_input_contents (use one or the other)`);
  const want = count * elementBytes(type);
  if (bytes.length !== want) throw new BadRequest(`input '${name}': raw_input_contents[${i}] has ${bytes.length} bytes but its shape and datatype need ${want}`);
  // Copied: the Buffer is a view into the message, not aligned for the typed array.
  const out = allocTyped(type, count);
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
  return out;
}

function fromContents(name: string, datatype: string, type: OrtType, contents: GrpcTensorContents | null | undefined, count: number): TypedArray {
  const field = CONTENTS_FIELD[datatype];
  if (!field) throw new BadRequest(`input '${name}' is ${datatype}, which has no typed contents: send it in raw_input_contents`);
  const values = (contents?.[field] ?? []) as unknown[];
  try {
    return decodeData(type, values, count);
  } catch (e) {
    throw new BadRequest(`input '${name}' contents.${field} ${(e as Error).message}`);
  }
}

/** The response for one job: outputs (in `which` order, or model order when null) as raw_output_contents. */
export function grpcInferResponse(spec: ModelSpec, id: string | undefined, dims: readonly number[][], data: readonly TypedArray[], which: number[] | null): GrpcInferResponse {
  const count = which ? which.length : spec.outputs.length;
  const outputs = new Array<GrpcInferResponse['outputs'][number]>(count);
  const raw = new Array<Buffer>(count);
  for (let j = 0; j < count; j++) {
    const k = which ? which[j] : j;
    const io = spec.outputs[k];
    outputs[j] = { name: io.name, datatype: io.datatype, shape: dims[k] };
    raw[j] = rawTensorBytes(data[k]);
  }
  return { model_name: spec.name, model_version: MODEL_VERSION, id: id ?? '', outputs, raw_output_contents: raw };
}
