/** Gets the source model bytes: generated from a spec, or read from model.path. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { errorMessage, invalidModel } from './errors';
import { buildGeneratedModel, generateSpecProblems, generatedModelName } from './generate';
import type { CompileSpec } from './types';

export interface SourceModel {
  bytes: Uint8Array;
  modelName: string;
  /** Names the model in error messages. */
  label: string;
  /** Known exactly for generated models; files are measured with readModelInfo. */
  generated?: { parameters: number; flops: number };
}

export async function loadSource(model: CompileSpec['model'], configDir?: string): Promise<SourceModel> {
  const { generate, path: file } = model ?? {};
  if ((generate == null) === (file == null)) {
    throw invalidModel('model: give exactly one of "generate" or "path"');
  }
  if (generate != null) {
    const problems = generateSpecProblems(generate);
    if (problems.length > 0) throw invalidModel(`model.generate: ${problems.join('; ')}`);
    const { bytes, parameters, flops } = buildGeneratedModel(generate);
    const modelName = generatedModelName(generate);
    return { bytes, modelName, label: `generated model ${modelName}`, generated: { parameters, flops } };
  }
  const abs = path.resolve(configDir ?? process.cwd(), file!);
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw invalidModel(`model.path: file not found: ${abs}`);
    if (code === 'EISDIR') throw invalidModel(`model.path: is a directory, not a file: ${abs}`);
    // Anything else (EIO, EMFILE, ...) may pass; let Temporal retry it.
    throw new Error(`model.path: cannot read ${abs}: ${errorMessage(e)}`, { cause: e });
  }
  return { bytes, modelName: path.basename(abs).replace(/\.onnx$/i, ''), label: `model.path ${abs}` };
}
