/**
 * Resolves what each model input is sent as, from the model's declared inputs and `model.inputs`: the
 * concrete shape, and how values are made. Pure; its issues carry config paths, so `validate` and the run
 * report them alike.
 *
 * The batch dim of an input is its FIRST dynamic dimension. It takes workload.batchSize; in
 * `model.inputs.<name>.shape` it is written -1 or as the batch size itself. Every other dynamic dim must be
 * given (shape), or come from data (workload.data, model.inputs.<name>.data). Inputs with no dynamic dim
 * are sent as declared.
 */
import { describeValue, type IssueAt } from '../../configs/errors';
import { kindOf, valueProblem } from './dtypes';
import type { InputConfig, InputsConfig, ModelInput } from './types';

export interface ResolvedInput {
  name: string;
  datatype: string;
  /** As the model declares it (-1: dynamic). */
  declared: number[];
  /** The shape sent; null when it comes with each request's data (and nothing in the config fixes it). */
  shape: number[] | null;
  /** Random values in this range (default per kind), or every element `value`. */
  range?: [number, number];
  value?: number | boolean;
  /** The input's own .npy file. */
  npy?: string;
}

export interface Resolution {
  inputs: ResolvedInput[];
  issues: IssueAt[];
}

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;
const at = (name: string, ...rest: (string | number)[]) => ['model', 'inputs', name, ...rest];

/**
 * `fromData`: inputs a data file supplies (workload.data's entries, or their own .npy), which may leave
 * dynamic dims to the data.
 */
export function resolveInputs(model: readonly ModelInput[], config: InputsConfig | undefined, batchSize: number, fromData: ReadonlySet<string> = new Set()): Resolution {
  const issues: IssueAt[] = [];
  const names = model.map((t) => t.name);
  for (const name of Object.keys(config ?? {})) {
    if (!names.includes(name)) issues.push({ path: at(name), message: `expected the name of a model input (${names.join(', ')}), got "${name}"` });
  }
  if (batchSize > 1 && !model.some((t) => t.shape.includes(-1))) {
    issues.push({
      path: ['workload', 'batchSize'],
      message: `expected 1: no model input has a dynamic dimension to batch along (${model.map((t) => `${t.name} ${fmt(t.shape)}`).join(', ')}), got ${batchSize}`,
    });
  }
  const inputs = model.map((t) => resolveOne(t, config?.[t.name] ?? {}, batchSize, fromData.has(t.name) || config?.[t.name]?.data !== undefined, issues));
  return { inputs, issues };
}

function resolveOne(t: ModelInput, c: InputConfig, batchSize: number, hasData: boolean, issues: IssueAt[]): ResolvedInput {
  const out: ResolvedInput = { name: t.name, datatype: t.datatype, declared: t.shape, shape: null };
  if (kindOf(t.datatype) === undefined) {
    issues.push({ path: at(t.name), message: `input "${t.name}" has datatype ${t.datatype}, which servebench cannot send` });
    return out;
  }
  if (c.value !== undefined) {
    const problem = valueProblem(t.datatype, c.value);
    if (problem) issues.push({ path: at(t.name, 'value'), message: `${problem}, got ${describeValue(c.value)}` });
    else out.value = c.value;
  }
  if (c.range !== undefined) {
    const kind = kindOf(t.datatype);
    const problem = kind === 'bool' || kind === 'bytes' ? `expected no range: input "${t.name}" is ${t.datatype}` : (valueProblem(t.datatype, c.range[0]) ?? valueProblem(t.datatype, c.range[1]));
    if (problem) issues.push({ path: at(t.name, 'range'), message: `${problem}, got ${describeValue(c.range)}` });
    else out.range = c.range;
  }
  if (c.data !== undefined) out.npy = c.data;
  out.shape = c.shape ? shapeFromConfig(t, c.shape, batchSize, issues) : shapeFromModel(t, batchSize, hasData, issues);
  return out;
}

function shapeFromConfig(t: ModelInput, shape: number[], batchSize: number, issues: IssueAt[]): number[] | null {
  if (shape.length !== t.shape.length) {
    issues.push({ path: at(t.name, 'shape'), message: `expected ${t.shape.length} dimensions like the model's ${fmt(t.shape)} (-1: dynamic), got ${fmt(shape)}` });
    return null;
  }
  const batchAt = t.shape.indexOf(-1);
  let ok = true;
  const out = shape.map((u, i) => {
    const d = t.shape[i];
    const bad = (message: string) => {
      issues.push({ path: at(t.name, 'shape', i), message });
      ok = false;
      return 0;
    };
    if (i === batchAt) {
      return u === -1 || u === batchSize ? batchSize : bad(`expected -1 or ${batchSize} (the batch dim takes workload.batchSize, ${batchSize}), got ${u}`);
    }
    if (d >= 0) return u === -1 || u === d ? d : bad(`expected ${d} (fixed in the model's ${fmt(t.shape)}), got ${u}`);
    return u >= 1 ? u : bad(`expected a size >= 1 (dimension ${i} is dynamic in the model's ${fmt(t.shape)}), got ${u}`);
  });
  return ok ? out : null;
}

function shapeFromModel(t: ModelInput, batchSize: number, hasData: boolean, issues: IssueAt[]): number[] | null {
  const batchAt = t.shape.indexOf(-1);
  const open = t.shape.flatMap((d, i) => (d === -1 && i !== batchAt ? [i] : []));
  if (open.length === 0) return t.shape.map((d, i) => (i === batchAt ? batchSize : d));
  if (hasData) return null;
  const example = t.shape.map((d, i) => (i === batchAt ? -1 : d === -1 ? 'N' : d)).join(', ');
  issues.push({
    path: at(t.name, 'shape'),
    message:
      `expected a shape for input "${t.name}": dimension${open.length > 1 ? 's' : ''} ${open.join(', ')} of ${fmt(t.shape)} ` +
      `${open.length > 1 ? 'are' : 'is'} dynamic and not the batch dim (set model.inputs.${t.name}.shape, e.g. [${example}]), got nothing (the key is missing)`,
  });
  return null;
}

/** "input [1, 512], state [2, 1, 128], sr []" for messages. */
export function describeShapes(inputs: readonly { name: string; shape: number[] | null }[]): string {
  return inputs.map((i) => `${i.name} ${i.shape ? fmt(i.shape) : '(from data)'}`).join(', ');
}
