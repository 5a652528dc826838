/**
 * A model's KServe v2 metadata (what its requests must hold), and a plain JSON infer body from it.
 */
import { describeErrorBody, describeNetError, modelEndpoint } from './endpoint';
import { encodeRequest } from '../inputs/body';
import { describeIssues, prepareRequests } from '../inputs/prepare';

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

/**
 * JSON body of a v2 infer request for every input of `meta`, with deterministic pseudo-random data for `seed`
 * (dynamic dims other than the batch dim must be fixed by the model: see activities/inputs for the rest).
 */
export function buildInferBody(meta: ModelMetadata, batchSize: number, seed: number): string {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be an integer >= 1, got ${batchSize}`);
  if (meta.inputs.length === 0) throw new Error(`model "${meta.name}" declares no inputs`);
  const prepared = prepareRequests(meta.inputs, { batchSize, seed });
  if (!prepared.requests) throw new Error(`model "${meta.name}": ${describeIssues(prepared.issues)}`);
  return encodeRequest(prepared.requests[0], 'json').body.toString('utf8');
}
