/**
 * The compile step of a GGUF model (served by the built-in LLM server, serving.api openai-*): nothing to convert
 * or optimise, and none of the ONNX steps (checker, onnxruntime's optimiser, smoke run) apply. It is hashed by its
 * bytes, loaded once with node-llama-cpp on the CPU (a file llama.cpp cannot load fails here, not on a device), its
 * facts read from its metadata, and cached as `<hash>/model.gguf` like any artifact. node-llama-cpp is an ES
 * module loaded with import(): this runs in the compile child (compile-process.ts), as compiled JS.
 */
import { readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { GGUF_MODEL_FILE, createStaging, ggufArtifactHash, publish, readCached } from './cache';
import { errorMessage, invalidModel } from './errors';
import type { SourceModel } from './source';
import type { Artifact, GgufFacts } from './types';

const MAGIC = Buffer.from('GGUF', 'ascii');

/** Whether model.path is a GGUF model: named *.gguf, or starting with GGUF's magic bytes. */
export function isGguf(source: Pick<SourceModel, 'bytes' | 'label'>): boolean {
  return /\.gguf$/i.test(source.label) || Buffer.from(source.bytes.subarray(0, 4)).equals(MAGIC);
}

/** node-llama-cpp's version, from its package.json (which its exports do not list). */
function engineVersion(): string {
  const pkg = path.join(path.dirname(require.resolve('node-llama-cpp')), '..', 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/** Parameters and facts of a GGUF file, which node-llama-cpp must load (on the CPU, prebuilt binaries only). */
export async function readGgufFacts(file: string, label: string): Promise<{ parameters: number; facts: GgufFacts }> {
  const { getLlama, readGgufFileInfo, GgufInsights, GgufFileType, LlamaLogLevel } = await import('node-llama-cpp');
  let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
  try {
    info = await readGgufFileInfo(file, { readTensorInfo: true });
  } catch (e) {
    throw invalidModel(`${label}: not a readable GGUF file: ${errorMessage(e)}`);
  }
  const llama = await getLlama({ gpu: false, build: 'never', maxThreads: 1, logLevel: LlamaLogLevel.error });
  try {
    const insights = await GgufInsights.from(info, llama);
    try {
      const model = await llama.loadModel({ modelPath: file });
      await model.dispose();
    } catch (e) {
      throw invalidModel(`${label}: llama.cpp (node-llama-cpp ${engineVersion()}) cannot load it: ${errorMessage(e)}`);
    }
    const general = info.metadata.general;
    const fileType = general.file_type;
    return {
      parameters: insights.totalParameters,
      facts: {
        architecture: String(general.architecture),
        name: general.name ?? null,
        contextLength: insights.trainContextSize ?? null,
        fileType: fileType === undefined ? null : (GgufFileType[fileType] ?? String(fileType)),
        vocabularySize: info.metadata.tokenizer?.ggml?.tokens?.length ?? null,
        engine: `node-llama-cpp ${engineVersion()}`,
      },
    };
  } finally {
    await llama.dispose();
  }
}

/** The artifact of a GGUF model: from the cache by its bytes' hash, else checked, copied in and published. */
export async function compileGguf(source: SourceModel, cacheDir: string, started: number): Promise<Artifact> {
  const hash = ggufArtifactHash(source.bytes);
  const cached = await readCached(cacheDir, hash);
  if (cached) return cached;
  const staging = await createStaging(cacheDir, hash);
  try {
    // The bytes that were hashed, not the file again (it may have changed since).
    const file = path.join(staging, GGUF_MODEL_FILE);
    await fs.writeFile(file, source.bytes);
    const { parameters, facts } = await readGgufFacts(file, source.label);
    return await publish(
      cacheDir,
      staging,
      {
        hash,
        compileSeconds: (performance.now() - started) / 1000,
        bytes: source.bytes.byteLength,
        sourceBytes: source.bytes.byteLength,
        parameters,
        // Per output token: a multiply and an add per parameter.
        flops: 2 * parameters,
        inputs: [],
        outputs: [],
        modelName: source.modelName,
        gguf: facts,
      },
      GGUF_MODEL_FILE,
    );
  } catch (e) {
    await fs.rm(staging, { recursive: true, force: true });
    throw e;
  }
}
