/**
 * The served model's tensor signature, derived once from the session's
 * metadata, with the JSON fragments the hot path would otherwise rebuild.
 */
import { fixedBatchTensors } from './batchable';
import { kserveDatatype, type OrtType } from './tensor-codec';

/** Tensor metadata as an onnxruntime session reports it (symbolic dims are strings). */
export interface RawIo {
  name: string;
  /** onnxruntime type name, or 'unsupported' for non-tensor values. */
  type: string;
  shape: (number | string)[];
}

export interface IoSpec {
  name: string;
  type: OrtType;
  /** KServe v2 datatype; 'UNSUPPORTED' for types the JSON protocol cannot carry. */
  datatype: string;
  /** -1 for dynamic dims. */
  shape: number[];
  /** `{"name":…,"datatype":…,"shape":[` — the start of this output in a response. */
  jsonPrefix: string;
}

export interface ModelSpec {
  name: string;
  inputs: IoSpec[];
  outputs: IoSpec[];
  inputIndex: Map<string, number>;
  outputIndex: Map<string, number>;
  /** Every input and output has a dynamic dim 0, so requests can be concatenated along it. */
  batchable: boolean;
  /** Body of GET /v2/models/{name}. */
  metadataJson: string;
  /** `{"model_name":…,"model_version":"1"` — the start of every infer response. */
  responsePrefix: string;
}

export const MODEL_VERSION = '1';

function ioSpec(raw: RawIo): IoSpec {
  const shape = raw.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1));
  const datatype = kserveDatatype(raw.type);
  const jsonPrefix = `{"name":${JSON.stringify(raw.name)},"datatype":"${datatype}","shape":[`;
  return { name: raw.name, type: raw.type as OrtType, datatype, shape, jsonPrefix };
}

export function buildModelSpec(name: string, rawInputs: RawIo[], rawOutputs: RawIo[]): ModelSpec {
  const inputs = rawInputs.map(ioSpec);
  const outputs = rawOutputs.map(ioSpec);
  const batchable = fixedBatchTensors([...inputs, ...outputs]).length === 0;
  const sig = (io: IoSpec) => ({ name: io.name, datatype: io.datatype, shape: io.shape });
  const metadataJson = JSON.stringify({
    name,
    versions: [MODEL_VERSION],
    platform: 'onnxruntime_onnx',
    inputs: inputs.map(sig),
    outputs: outputs.map(sig),
  });
  return {
    name,
    inputs,
    outputs,
    inputIndex: new Map(inputs.map((io, i) => [io.name, i])),
    outputIndex: new Map(outputs.map((io, i) => [io.name, i])),
    batchable,
    metadataJson,
    responsePrefix: `{"model_name":${JSON.stringify(name)},"model_version":"${MODEL_VERSION}"`,
  };
}
