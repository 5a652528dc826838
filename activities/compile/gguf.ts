/**
 * The compile step of a GGUF model (served by the built-in LLM server, serving.api openai-*): nothing to convert
 * or optimise, and none of the ONNX steps (checker, onnxruntime's optimiser, smoke run) apply. It is hashed by its
 * bytes, copied into the cache, loaded once there with node-llama-cpp on the CPU (a file llama.cpp cannot load
 * fails here, not on a device), its facts read from its metadata, and published as `<hash>/model.gguf` like any
 * artifact. Files are streamed, never read whole: GGUF models pass 2 GiB. node-llama-cpp is an ES module loaded
 * with import(): this runs in the compile child (compile-process.ts), as compiled JS.
 */
import { readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { GGUF_MODEL_FILE, createStaging, ggufArtifactHash, publish, readCached } from './cache';
import { errorMessage, invalidModel } from './errors';
import type { Artifact, CompileSpec, GgufFacts } from './types';

const MAGIC = Buffer.from('GGUF', 'ascii');

/** Whether the bytes start with GGUF's magic. */
export const hasGgufMagic = (bytes: Uint8Array): boolean => Buffer.from(bytes.subarray(0, 4)).equals(MAGIC);

/**
 * The absolute path of model.path when it is a GGUF model (named *.gguf, or starting with GGUF's magic), else
 * null (and null for a file that cannot be read: the ONNX path reports that).
 */
export async function ggufPathOf(model: CompileSpec['model'], configDir?: string): Promise<string | null> {
  if (model?.path == null) return null;
  const abs = path.resolve(configDir ?? process.cwd(), model.path);
  if (/\.gguf$/i.test(abs)) return abs;
  try {
    const fh = await fs.open(abs, 'r');
    try {
      const { buffer, bytesRead } = await fh.read(Buffer.alloc(4), 0, 4, 0);
      return hasGgufMagic(buffer.subarray(0, bytesRead)) ? abs : null;
    } finally {
      await fh.close();
    }
  } catch {
    return null;
  }
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

/** The artifact of the GGUF model at `file`: from the cache by its bytes' hash, else checked, copied in and published. */
export async function compileGguf(file: string, cacheDir: string, started: number): Promise<Artifact> {
  const label = `model.path ${file}`;
  let hash: string;
  let sourceBytes: number;
  try {
    hash = await ggufArtifactHash(file);
    sourceBytes = (await fs.stat(file)).size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw invalidModel(`model.path: file not found: ${file}`);
    if (code === 'EISDIR') throw invalidModel(`model.path: is a directory, not a file: ${file}`);
    throw new Error(`model.path: cannot read ${file}: ${errorMessage(e)}`, { cause: e });
  }
  const cached = await readCached(cacheDir, hash);
  if (cached) return cached;
  const staging = await createStaging(cacheDir, hash);
  try {
    const copy = path.join(staging, GGUF_MODEL_FILE);
    await fs.copyFile(file, copy, fs.constants.COPYFILE_FICLONE);
    // The copy is what gets served: it must be the bytes that were hashed (the source may have changed since).
    if ((await ggufArtifactHash(copy)) !== hash) throw new Error(`${label} changed while it was being compiled`);
    const { parameters, facts } = await readGgufFacts(copy, label);
    return await publish(
      cacheDir,
      staging,
      {
        hash,
        compileSeconds: (performance.now() - started) / 1000,
        bytes: sourceBytes,
        sourceBytes,
        parameters,
        // Per output token: a multiply and an add per parameter.
        flops: 2 * parameters,
        inputs: [],
        outputs: [],
        modelName: path.basename(file).replace(/\.gguf$/i, ''),
        gguf: facts,
      },
      GGUF_MODEL_FILE,
    );
  } catch (e) {
    await fs.rm(staging, { recursive: true, force: true });
    throw e;
  }
}
