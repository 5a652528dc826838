/**
 * Requests from a model's KServe v2 metadata: fetch the metadata, then build an
 * infer body once (the driver sends the same bytes many times).
 */
import { describeErrorBody, describeNetError, modelEndpoint } from './endpoint';
import { seededUniform, type Uniform } from '../rng';

export interface TensorMetadata {
  name: string;
  datatype: string;
  /** -1 marks a dynamic dimension. */
  shape: number[];
}

export interface ModelMetadata {
  name: string;
  versions?: string[];
  platform?: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

const METADATA_TIMEOUT_MS = 10_000;

/** GET {baseUrl}/v2/models/{name}; every failure names the URL and what went wrong. */
export async function fetchModelMetadata(baseUrl: string, modelName: string): Promise<ModelMetadata> {
  const ep = modelEndpoint(baseUrl, modelName);
  const where = `GET ${ep.modelUrl}`;
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = ep.mod.get(
      // agent: false: a one-off connection, so no keep-alive socket outlives the call.
      { hostname: ep.hostname, port: ep.port, path: ep.modelPath, agent: false, headers: { accept: 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => reject(new Error(`${where} failed while reading the response: ${describeNetError(e)}`)));
      },
    );
    req.setTimeout(METADATA_TIMEOUT_MS, () =>
      req.destroy(Object.assign(new Error(`no response within ${METADATA_TIMEOUT_MS} ms`), { code: 'TIMEOUT' })),
    );
    req.on('error', (e) => reject(new Error(`${where} failed: ${describeNetError(e)}`)));
  });
  if (status !== 200) throw new Error(`${where} returned HTTP ${status}: ${describeErrorBody(text)}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${where} returned a body that is not JSON: ${describeErrorBody(text)}`);
  }
  const problem = metadataProblem(json);
  if (problem) throw new Error(`${where} did not return KServe v2 model metadata: ${problem}`);
  const meta = json as ModelMetadata;
  return { ...meta, outputs: meta.outputs ?? [] };
}

function tensorProblem(t: unknown, where: string): string | null {
  if (typeof t !== 'object' || t === null) return `${where} is not an object`;
  const o = t as Record<string, unknown>;
  if (typeof o.name !== 'string') return `${where}.name is not a string`;
  if (typeof o.datatype !== 'string') return `${where}.datatype is not a string`;
  if (!Array.isArray(o.shape) || !o.shape.every((d) => Number.isInteger(d) && d >= -1)) {
    return `${where}.shape is not an array of integers >= -1`;
  }
  return null;
}

/** Null when `json` has the v2 metadata fields we rely on; else what is wrong. */
function metadataProblem(json: unknown): string | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'body is not a JSON object';
  const o = json as Record<string, unknown>;
  if (typeof o.name !== 'string') return '"name" is missing or not a string';
  if (!Array.isArray(o.inputs)) return '"inputs" is missing or not an array';
  // Some servers omit "outputs"; it is not needed to build requests.
  if (o.outputs !== undefined && !Array.isArray(o.outputs)) return '"outputs" is not an array';
  for (const [key, list] of [['inputs', o.inputs], ['outputs', o.outputs ?? []]] as const) {
    for (let i = 0; i < (list as unknown[]).length; i++) {
      const p = tensorProblem((list as unknown[])[i], `${key}[${i}]`);
      if (p) return p;
    }
  }
  return null;
}

/** The shape sent for `batchSize`: first -1 is the batch dim, other -1 dims are 1. */
export function concreteShape(t: TensorMetadata, batchSize: number): number[] {
  const batchAt = t.shape.indexOf(-1);
  if (batchAt < 0 && batchSize !== 1) {
    throw new Error(`input "${t.name}" has fixed shape [${t.shape.join(', ')}]; it cannot take batch size ${batchSize}`);
  }
  return t.shape.map((d, i) => (d !== -1 ? d : i === batchAt ? batchSize : 1));
}

type Gen = (u: Uniform) => number | boolean | string;

// Floats in [-1, 1) with 4 decimals: valid for any float model, and short JSON.
const float: Gen = (u) => Math.floor((u() * 2 - 1) * 1e4) / 1e4;
// Small non-negative ints: safe as indices (embeddings, token ids) and in every int type.
const smallInt: Gen = (u) => Math.floor(u() * 16);

const GENERATORS: Record<string, Gen> = {
  FP16: float,
  FP32: float,
  FP64: float,
  BF16: float,
  INT8: smallInt,
  INT16: smallInt,
  INT32: smallInt,
  INT64: smallInt,
  UINT8: smallInt,
  UINT16: smallInt,
  UINT32: smallInt,
  UINT64: smallInt,
  BOOL: (u) => u() < 0.5,
  BYTES: (u) => `s${Math.floor(u() * 1e6)}`,
};

/**
 * JSON body of a v2 infer request for every input of `meta`, with flat
 * row-major, deterministic pseudo-random data for `seed`.
 */
export function buildInferBody(meta: ModelMetadata, batchSize: number, seed: number): string {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be an integer >= 1, got ${batchSize}`);
  if (meta.inputs.length === 0) throw new Error(`model "${meta.name}" declares no inputs`);
  const u = seededUniform(seed);
  const inputs = meta.inputs.map((t) => {
    const gen = GENERATORS[t.datatype.toUpperCase()];
    if (!gen) throw new Error(`input "${t.name}" has unsupported datatype "${t.datatype}"`);
    const shape = concreteShape(t, batchSize);
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Array<number | boolean | string>(n);
    for (let i = 0; i < n; i++) data[i] = gen(u);
    return { name: t.name, shape, datatype: t.datatype, data };
  });
  return JSON.stringify({ inputs });
}
