/**
 * Model preflight: before anything starts (servebench validate / run, and the sweep's plan activity), each
 * job's model file must exist, be a whole ONNX model within protobuf's 2 GiB single-file limit (weights past
 * it go in external data, which must be there), its inputs must resolve against the config (model.inputs,
 * workload.batchSize, workload.data), and serving.batching needs a batch dimension. A GGUF model (the built-in
 * LLM server's) gets none of the ONNX checks: it must start with GGUF's magic and be served over an OpenAI api.
 * Issues come back at config paths, like the schema's.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { IssueAt } from '../../configs/errors';
import { isLlmApi, type Config } from '../../configs/schema';
import type { ModelInput } from '../inputs/types';
import { inputSettings, prepareRequests } from '../inputs/prepare';
import { isGgufPath } from '../../configs/llm-rules';
import { unbatchableReason } from '../serve/batchable';
import { hasGgufMagic } from './gguf';
import { decodeModel, modelInfoOf, NotOnnxModelError, type ModelInfo } from './model-info';
import { checkStructure } from './onnx-structure';

/** Protobuf's limit on one serialised message: ONNX files past it must keep weights as external data. */
export const ONNX_FILE_LIMIT_BYTES = 2 ** 31 - 1;

/**
 * The check of one job's model (a JobCheck: configs/preflight.ts runs it on every job of a loaded config, model.path
 * absolute). Each file is read once, and each distinct input setting resolved once, per checker.
 */
export function modelPreflight(): (job: Config) => IssueAt[] {
  const inspected = new Map<string, Inspected>();
  // Jobs that differ only in load settings send the same requests: resolve (and read data for) each once.
  const resolved = new Map<string, IssueAt[]>();
  const inputIssues = (inputs: ModelInput[], job: Config): IssueAt[] => {
    const settings = inputSettings(job);
    const key = JSON.stringify([inputs, settings]);
    return resolved.get(key) ?? resolved.set(key, prepareRequests(inputs, settings).issues).get(key)!;
  };
  return (job) => {
    const file = job.model.path;
    if (file === undefined) return job.model.generate ? inputIssues(generatedInputs(job.model.generate), job) : [];
    const model = inspected.get(file) ?? inspected.set(file, inspectModelFile(file)).get(file)!;
    if ('gguf' in model) return ggufIssues(file, model.gguf, job);
    if ('problem' in model) return [{ path: ['model', 'path'], message: `expected an ONNX model file, got "${file}": ${model.problem}` }];
    // An external server's inputs are its own (read from its metadata when measuring).
    if (job.serving.endpoint !== undefined) return [];
    return [...batchingIssues(file, model.info, job), ...inputIssues(model.info.inputs, job)];
  };
}

/** A GGUF model.path: a GGUF file (its first bytes), served by an OpenAI-compatible server. */
function ggufIssues(file: string, problem: string | null, job: Config): IssueAt[] {
  if (problem) return [{ path: ['model', 'path'], message: `expected a GGUF model file, got "${file}": ${problem}` }];
  // A .gguf name with kserve-v2 is reported by the config rules (configs/llm-rules.ts); a GGUF by its bytes alone here.
  if (job.serving.endpoint !== undefined || isLlmApi(job.serving.api) || isGgufPath(file)) return [];
  return [{ path: ['serving', 'api'], message: `model.path "${file}" is a GGUF model, served over an OpenAI api: set serving.api to openai-completions or openai-chat` }];
}

/** The first bytes of a file (fewer if it is shorter). */
function head(file: string, n: number): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** serving.batching on a model without a batch dimension: the server would refuse it (activities/serve/batchable.ts). */
function batchingIssues(file: string, info: ModelInfo, job: Config): IssueAt[] {
  if (!job.serving.batching) return [];
  const reason = unbatchableReason(basename(file).replace(/\.onnx$/i, ''), [...info.inputs, ...info.outputs]);
  return reason ? [{ path: ['serving', 'batching'], message: reason }] : [];
}

/** A generated model's one input, `input` [batch, ...] (mlp.ts, cnn.ts, transformer.ts), known without building it. */
function generatedInputs(g: NonNullable<Config['model']['generate']>): ModelInput[] {
  const dims = g.family === 'transformer' ? [g.seqLen, g.hidden] : g.inputShape;
  return [{ name: 'input', datatype: g.dtype === 'float16' ? 'FP16' : 'FP32', shape: [-1, ...dims] }];
}

/** An ONNX model's facts, a problem, or a GGUF model (with its problem, or null). */
type Inspected = { info: ModelInfo } | { problem: string } | { gguf: string | null };

/** Reads and checks one model file (the I/O edge). */
export function inspectModelFile(file: string): Inspected {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) return { problem: 'is a directory' };
    size = st.size;
  } catch (e) {
    return { problem: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message };
  }
  if (size === 0) return { problem: 'the file is empty' };
  // A GGUF model: by name or by its magic, and then it must have the magic.
  let magic: boolean;
  try {
    magic = hasGgufMagic(head(file, 4));
  } catch (e) {
    return { problem: `cannot read: ${(e as Error).message}` };
  }
  if (magic) return { gguf: null };
  if (/\.gguf$/i.test(file)) return { gguf: 'it does not start with the GGUF magic bytes' };
  if (size > ONNX_FILE_LIMIT_BYTES) {
    return { problem: `${size} bytes is past ONNX's 2 GiB single-file limit (protobuf); save the weights as external data (onnx.save(..., save_as_external_data=True))` };
  }
  try {
    const model = decodeModel(readFileSync(file));
    const { problem, externalFiles } = checkStructure(model);
    if (problem) return { problem: `not a whole ONNX model: ${problem}` };
    const missing = externalFiles.find((f) => !existsSync(resolve(dirname(file), f)));
    if (missing) return { problem: `its external data file "${missing}" is missing (expected next to the model: ${resolve(dirname(file), missing)})` };
    return { info: modelInfoOf(model) };
  } catch (e) {
    if (e instanceof NotOnnxModelError) return { problem: e.message };
    return { problem: `cannot read: ${(e as Error).message}` };
  }
}
