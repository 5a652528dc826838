/**
 * Content-addressed artifact cache: `<cacheDir>/<hash>/{model.onnx,meta.json}` (a GGUF model: model.gguf).
 *
 * An artifact directory only ever appears by renaming a fully written and
 * fsynced staging directory, so readers (and crashes) never see a half-written
 * one; two compiles of the same hash race harmlessly (the first rename wins).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Artifact } from './types';

export const MODEL_FILE = 'model.onnx';
export const GGUF_MODEL_FILE = 'model.gguf';
export const META_FILE = 'meta.json';

export function artifactHash(source: Uint8Array, graphOptimization: string, ortVersion: string): string {
  // NUL separators keep the fields unambiguous.
  return createHash('sha256').update(source).update('\0').update(graphOptimization).update('\0').update(ortVersion).digest('hex');
}

/** A GGUF model is served as it is: its artifact depends on its bytes alone (read as a stream: GGUFs pass 2 GiB). */
export async function ggufArtifactHash(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.update('\0').update('gguf').digest('hex');
}

/** Stable JSON: object keys sorted, so equal specs give equal text whatever their key order. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * A generated model is also indexed by its spec (`<cacheDir>/by-spec/<key>` holds the artifact hash), so a
 * cache hit needs neither generating the model nor a core to do it on.
 */
export function specKey(generate: unknown, graphOptimization: string, ortVersion: string): string {
  return createHash('sha256').update(stableJson(generate)).update('\0').update(graphOptimization).update('\0').update(ortVersion).digest('hex');
}

export async function readBySpec(cacheDir: string, key: string): Promise<Artifact | null> {
  try {
    const hash = (await fs.readFile(path.join(cacheDir, 'by-spec', key), 'utf8')).trim();
    return await readCached(cacheDir, hash);
  } catch {
    return null;
  }
}

/** Atomic (write then rename), so a reader sees the whole hash or no entry. */
export async function writeSpecIndex(cacheDir: string, key: string, hash: string): Promise<void> {
  const dir = path.join(cacheDir, 'by-spec');
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${key}.${randomBytes(6).toString('hex')}`);
  await fs.writeFile(tmp, hash + '\n');
  await fs.rename(tmp, path.join(dir, key));
}

/** The cached artifact, or null when absent or incomplete. */
export async function readCached(cacheDir: string, hash: string): Promise<Artifact | null> {
  const dir = path.join(cacheDir, hash);
  try {
    const meta = JSON.parse(await fs.readFile(path.join(dir, META_FILE), 'utf8')) as Artifact;
    // model.onnx, or model.gguf for a GGUF model; the cache directory may have moved since it was written.
    const file = path.join(dir, path.basename(meta.path));
    const model = await fs.stat(file);
    if (meta.hash !== hash || model.size !== meta.bytes) return null;
    return { ...meta, path: file, cached: true };
  } catch {
    return null;
  }
}

/** A fresh private staging directory inside cacheDir (same filesystem, so rename is atomic). */
export async function createStaging(cacheDir: string, hash: string): Promise<string> {
  await fs.mkdir(cacheDir, { recursive: true });
  return fs.mkdtemp(path.join(cacheDir, `.tmp-${hash.slice(0, 16)}-`));
}

/**
 * Writes meta.json into the staging dir (which already holds modelFile: model.onnx, or model.gguf) and
 * moves it into place. If another compile published first, returns theirs.
 */
export async function publish(cacheDir: string, staging: string, artifact: Omit<Artifact, 'path' | 'cached'>, modelFile = MODEL_FILE): Promise<Artifact> {
  const final = path.join(cacheDir, artifact.hash);
  const meta: Artifact = { ...artifact, path: path.join(final, modelFile), cached: false };
  await fs.writeFile(path.join(staging, META_FILE), JSON.stringify(meta, null, 2) + '\n');
  await fsyncFile(path.join(staging, modelFile));
  await fsyncFile(path.join(staging, META_FILE));

  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rename(staging, final);
      return meta;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
      const winner = await readCached(cacheDir, artifact.hash);
      if (winner) {
        await fs.rm(staging, { recursive: true, force: true });
        return winner;
      }
      if (attempt > 0) throw e;
      // A damaged artifact dir (e.g. a file deleted by hand): move it aside atomically, then replace it.
      const trash = `${final}.broken-${randomBytes(4).toString('hex')}`;
      await fs.rename(final, trash).catch(() => undefined);
      await fs.rm(trash, { recursive: true, force: true });
    }
  }
}

async function fsyncFile(file: string): Promise<void> {
  const fh = await fs.open(file, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
