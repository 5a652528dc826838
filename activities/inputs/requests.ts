/**
 * The tensors of every distinct request, from resolved inputs and loaded data: inputs a data file supplies
 * come from it (entry i of workload.data, tensor i of a per-request .npy), the others are generated once
 * and shared. Requests are as many as the longest data source (1 without data); the load generator cycles
 * through them. Pure; problems come back as issues at the config key that named the data.
 */
import type { IssueAt } from '../../configs/errors';
import { seededUniform } from '../rng';
import { decodeData, ortTypeOf, type OrtType } from '../serve/tensor-codec';
import type { DataEntry } from './data-file';
import { elementCount, generateTensor } from './generate';
import type { NpyArray } from './npy';
import type { ResolvedInput } from './resolve';
import type { RequestTensor, TensorData } from './types';

export interface DataSources {
  /** workload.data's entries, and the file (for messages). */
  entries?: { file: string; list: DataEntry[] };
  /** model.inputs.<name>.data, loaded. */
  npy?: Map<string, NpyArray>;
}

export type Built = { requests: RequestTensor[][]; issues: [] } | { requests: null; issues: IssueAt[] };

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

export function buildRequests(inputs: readonly ResolvedInput[], sources: DataSources, batchSize: number, seed: number): Built {
  const issues: IssueAt[] = [];
  const entries = sources.entries?.list ?? [];
  const dataPath = ['workload', 'data'];
  const names = inputs.map((i) => i.name);
  entries.forEach((e, k) => {
    for (const name of Object.keys(e)) {
      if (!names.includes(name)) issues.push({ path: dataPath, message: `${sources.entries!.file}: entry ${k}: expected inputs of the model (${names.join(', ')}), got "${name}"` });
    }
  });
  const perRequestNpy = (r: ResolvedInput): NpyArray | undefined => sources.npy?.get(r.name);
  const counts = [entries.length || 1];
  for (const r of inputs) {
    const a = perRequestNpy(r);
    if (a && a.shape.length === r.declared.length + 1) counts.push(a.shape[0]);
  }
  const n = Math.max(...counts);
  const u = seededUniform(seed);
  const generated = new Map<string, TensorData>();
  const requests: RequestTensor[][] = [];
  for (let k = 0; k < n && issues.length === 0; k++) {
    const tensors: RequestTensor[] = [];
    for (const r of inputs) {
      const entry = entries.length ? entries[k % entries.length][r.name] : undefined;
      const npy = perRequestNpy(r);
      let t: RequestTensor | string;
      if (entry) {
        t = fromEntry(r, entry.content, entry.shape ?? r.shape, batchSize);
        if (typeof t === 'string') issues.push({ path: dataPath, message: `${sources.entries!.file}: entry ${k % entries.length}: input "${r.name}": ${t}` });
      } else if (npy) {
        t = fromNpy(r, npy, k, batchSize);
        if (typeof t === 'string') issues.push({ path: ['model', 'inputs', r.name, 'data'], message: `${r.npy}: ${t}` });
      } else if (r.shape) {
        let data = generated.get(r.name);
        if (!data) generated.set(r.name, (data = generateTensor(r.datatype, elementCount(r.shape), r, u)));
        t = { name: r.name, datatype: r.datatype, shape: r.shape, data };
      } else {
        issues.push({ path: dataPath, message: `${sources.entries?.file ?? 'workload.data'}: entry ${k % (entries.length || 1)}: expected input "${r.name}" (its shape ${fmt(r.declared)} is left to the data), got nothing` });
        continue;
      }
      if (typeof t !== 'string') tensors.push(t);
    }
    requests.push(tensors);
  }
  return issues.length ? { requests: null, issues } : { requests, issues: [] };
}

/** Why `shape` cannot be sent for `r`, or null: same rank, fixed dims as declared, the batch dim = batchSize. */
function shapeProblem(r: ResolvedInput, shape: readonly number[], batchSize: number): string | null {
  const d = r.declared;
  const batchAt = d.indexOf(-1);
  if (shape.length !== d.length || !d.every((x, i) => (i === batchAt ? shape[i] === batchSize : x === -1 || x === shape[i]))) {
    const batch = batchAt >= 0 ? `, the batch dim ${batchAt} = workload.batchSize ${batchSize}` : '';
    return `expected a shape like the model's ${fmt(d)}${batch}, got ${fmt(shape)}`;
  }
  return null;
}

function fromEntry(r: ResolvedInput, content: unknown[], shape: number[] | null, batchSize: number): RequestTensor | string {
  if (!shape) return `expected {"content": [...], "shape": [...]}: dimensions of ${fmt(r.declared)} are dynamic and model.inputs.${r.name}.shape does not fix them`;
  const problem = shapeProblem(r, shape, batchSize);
  if (problem) return problem;
  if (r.datatype === 'BYTES') return { name: r.name, datatype: r.datatype, shape, data: content.map(String) };
  try {
    return { name: r.name, datatype: r.datatype, shape, data: decodeData(ortTypeOf(r.datatype) as OrtType, content, elementCount(shape)) };
  } catch (e) {
    return `${(e as Error).message} (shape ${fmt(shape)}, ${r.datatype})`;
  }
}

function fromNpy(r: ResolvedInput, a: NpyArray, k: number, batchSize: number): RequestTensor | string {
  if (a.datatype !== r.datatype) return `expected dtype of ${r.datatype}, got ${a.datatype}`;
  const stacked = a.shape.length === r.declared.length + 1;
  const shape = stacked ? a.shape.slice(1) : a.shape;
  const problem = shapeProblem(r, shape, batchSize);
  if (problem) return `${problem}${stacked ? ' per request' : ''} (a .npy holds one tensor, or one per request along a leading axis)`;
  if (!stacked) return { name: r.name, datatype: r.datatype, shape, data: a.data };
  const size = elementCount(shape);
  const i = k % a.shape[0];
  return { name: r.name, datatype: r.datatype, shape, data: a.data.subarray(i * size, (i + 1) * size) as TensorData };
}

/** input name -> the shape sent, or the distinct shapes when requests differ (recorded per run). */
export function shapesSent(requests: readonly RequestTensor[][]): Record<string, number[] | number[][]> {
  const out: Record<string, number[][]> = {};
  for (const req of requests) {
    for (const t of req) {
      const list = (out[t.name] ??= []);
      if (!list.some((s) => s.length === t.shape.length && s.every((d, i) => d === t.shape[i]))) list.push([...t.shape]);
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
}
