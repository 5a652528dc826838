/** The shapes the input pipeline passes around: config in, model inputs, tensors out. Types only. */
import type { TypedArray } from '../serve/tensor-codec';

/** model.inputs.<name> as validated (configs/schema.ts). */
export interface InputConfig {
  shape?: number[];
  range?: [number, number];
  value?: number | boolean;
  /** A .npy file (absolute once loaded). */
  data?: string;
}

export type InputsConfig = Record<string, InputConfig>;

/** A model input as the model declares it (compile's TensorInfo, a server's v2 metadata): -1 marks a dynamic dim. */
export interface ModelInput {
  name: string;
  /** KServe v2 datatype: FP32, INT64, BOOL, ... */
  datatype: string;
  shape: number[];
}

/** Element data of one tensor: a typed array (numbers, bool as 0/1, FP16 as half bits), or strings for BYTES. */
export type TensorData = TypedArray | string[];

/** One input of one request, ready to encode. */
export interface RequestTensor {
  name: string;
  datatype: string;
  shape: number[];
  data: TensorData;
}

export type TensorFormat = 'json' | 'binary';
