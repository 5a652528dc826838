/**
 * The KServe v2 gRPC service (proto/grpc_service.proto), loaded once at runtime with @grpc/proto-loader. The
 * .proto is not compiled by tsc: it is read from the sources next to this file, or from the checkout when this
 * runs from dist/.
 */
import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const SERVICE_NAME = 'inference.GRPCInferenceService';
/** The path a ModelInfer call is made on (what a client with pre-serialised requests calls). */
export const MODEL_INFER_PATH = `/${SERVICE_NAME}/ModelInfer`;

const PROTO = path.join('proto', 'grpc_service.proto');

/** Where the .proto is: beside this module (sources), else in the checkout above dist/. */
export function protoFile(): string {
  const candidates = [path.join(__dirname, PROTO), path.resolve(__dirname, '..', '..', '..', 'activities', 'serve', PROTO)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`grpc_service.proto is missing: looked at ${candidates.join(' and ')}`);
  return found;
}

/**
 * Field names as the .proto spells them (raw_input_contents), int64 as numbers (shapes, counters; typed int64
 * contents are then exact to 2^53, raw ones always), enums as names, absent fields as their defaults (empty
 * lists), bytes as Buffers.
 */
const LOAD_OPTIONS: protoLoader.Options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };

let service: grpc.ServiceDefinition | undefined;

/** The service definition: methods with their (de)serialisers, for grpc.Server.addService and for clients. */
export function inferenceService(): grpc.ServiceDefinition {
  if (!service) {
    const def = protoLoader.loadSync(protoFile(), LOAD_OPTIONS);
    service = def[SERVICE_NAME] as grpc.ServiceDefinition;
  }
  return service;
}

/** A ModelInferRequest (plain object, .proto field names) as wire bytes. */
export function serializeInferRequest(request: object): Buffer {
  return inferenceService().ModelInfer.requestSerialize(request);
}

/** Wire bytes of a ModelInferResponse as a plain object. */
export function deserializeInferResponse(bytes: Buffer): GrpcInferResponse {
  return inferenceService().ModelInfer.responseDeserialize(bytes) as GrpcInferResponse;
}

/** The messages as plain objects (what the (de)serialisers take and give). */
export interface GrpcTensorContents {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: number[];
  uint_contents?: number[];
  uint64_contents?: number[];
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Buffer[];
}

export interface GrpcInferParameter {
  bool_param?: boolean;
  int64_param?: number;
  string_param?: string;
}

export interface GrpcInferInput {
  name: string;
  datatype: string;
  shape: number[];
  parameters?: Record<string, GrpcInferParameter>;
  contents?: GrpcTensorContents | null;
}

export interface GrpcInferRequest {
  model_name: string;
  model_version?: string;
  id?: string;
  parameters?: Record<string, GrpcInferParameter>;
  inputs: GrpcInferInput[];
  outputs?: { name: string; parameters?: Record<string, GrpcInferParameter> }[];
  raw_input_contents?: Buffer[];
}

export interface GrpcInferOutput {
  name: string;
  datatype: string;
  shape: number[];
  contents?: GrpcTensorContents | null;
}

export interface GrpcInferResponse {
  model_name: string;
  model_version: string;
  id: string;
  outputs: GrpcInferOutput[];
  raw_output_contents: Buffer[];
}
