/**
 * The compile step: source model → validated, optimised, smoke-tested ONNX
 * artifact in a content-addressed cache (a sweep over workload settings compiles once).
 * A GGUF model.path (the built-in LLM server's) is not converted: gguf.ts.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MODEL_FILE, artifactHash, createStaging, ggufArtifactHash, publish, readBySpec, readCached, specKey, writeSpecIndex } from './cache';
import { compileGguf, ggufPathOf } from './gguf';
import { invalidModel } from './errors';
import { NotOnnxModelError, readModelInfo, type ModelInfo } from './model-info';
import { optimizeWithOrt, ortVersion, smokeRun, validateWithOrt } from './ort';
import { loadSource, type SourceModel } from './source';
import type { Artifact, CompileSpec } from './types';

export type { Artifact, CompileSpec, TensorInfo } from './types';

const LEVELS: readonly string[] = ['disabled', 'basic', 'extended', 'all'];

export interface CompileOptions {
  /** Root of the artifact cache; created if missing. */
  cacheDir: string;
  /** Directory that a relative model.path is resolved against (the config file's); default the cwd. */
  configDir?: string;
}

/**
 * Throws ApplicationFailure (non-retryable, type InvalidModel) for bad input;
 * other errors (disk, I/O) are plain and retryable.
 */
export async function compileModel(spec: CompileSpec, opts: CompileOptions): Promise<Artifact> {
  const started = performance.now();
  if (!LEVELS.includes(spec.graphOptimization)) {
    throw invalidModel(`compile.graphOptimization must be one of ${LEVELS.join(', ')} (got ${JSON.stringify(spec.graphOptimization)})`);
  }
  const bySpec = spec.model.generate ? specKey(spec.model.generate, spec.graphOptimization, ortVersion()) : null;
  if (bySpec) {
    const hit = await readBySpec(opts.cacheDir, bySpec);
    if (hit) return hit;
  }
  const gguf = await ggufPathOf(spec.model, opts.configDir);
  if (gguf) return compileGguf(gguf, opts.cacheDir, started);
  const source = await loadSource(spec.model, opts.configDir);
  const hash = artifactHash(source.bytes, spec.graphOptimization, ortVersion());
  const cached = await readCached(opts.cacheDir, hash);
  if (cached) {
    if (bySpec) await writeSpecIndex(opts.cacheDir, bySpec, hash);
    return cached;
  }

  const info = describe(source);
  await validateWithOrt(source.bytes, source.label);

  const staging = await createStaging(opts.cacheDir, hash);
  try {
    const modelPath = path.join(staging, MODEL_FILE);
    const written = await optimizeWithOrt(source.bytes, spec.graphOptimization, modelPath);
    // onnxruntime-node 1.30 honours optimizedModelFilePath; should a build ignore it,
    // serve the validated source (unoptimised) rather than fail the job.
    if (!written) await fs.writeFile(modelPath, source.bytes);
    await smokeRun(modelPath, info.inputs, source.label, spec.feed ?? { batchSize: 1, seed: 1 });
    const { size } = await fs.stat(modelPath);
    const artifact = await publish(opts.cacheDir, staging, {
      hash,
      compileSeconds: (performance.now() - started) / 1000,
      bytes: size,
      sourceBytes: source.bytes.byteLength,
      parameters: source.generated?.parameters ?? info.parameters,
      flops: source.generated ? source.generated.flops : info.flops,
      inputs: info.inputs,
      outputs: info.outputs,
      modelName: source.modelName,
    });
    if (bySpec) await writeSpecIndex(opts.cacheDir, bySpec, hash);
    return artifact;
  } catch (e) {
    await fs.rm(staging, { recursive: true, force: true });
    throw e;
  }
}

/**
 * The artifact when the cache already holds it, without compiling: by spec for a generated model, by content
 * for a file (reading and hashing it). Null when it must be compiled.
 */
export async function findCompiled(spec: CompileSpec, opts: CompileOptions): Promise<Artifact | null> {
  if (!LEVELS.includes(spec.graphOptimization)) return null;
  if (spec.model.generate) return readBySpec(opts.cacheDir, specKey(spec.model.generate, spec.graphOptimization, ortVersion()));
  if (!spec.model.path) return null;
  const gguf = await ggufPathOf(spec.model, opts.configDir);
  if (gguf) {
    const hash = await ggufArtifactHash(gguf).catch(() => null);
    return hash ? readCached(opts.cacheDir, hash) : null;
  }
  const source = await loadSource(spec.model, opts.configDir).catch(() => null);
  return source ? readCached(opts.cacheDir, artifactHash(source.bytes, spec.graphOptimization, ortVersion())) : null;
}

function describe(source: SourceModel): ModelInfo {
  try {
    return readModelInfo(source.bytes);
  } catch (e) {
    if (e instanceof NotOnnxModelError) throw invalidModel(`${source.label}: ${e.message}`);
    throw e;
  }
}
