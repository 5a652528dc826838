/**
 * Checks shared by the generated-model specs. Specs arrive from YAML (validated by the config schema) but
 * also straight from code and over the wire, so each generator re-checks what it relies on.
 */
import { MAX_WEIGHT_BYTES, bytesPer, type Dtype } from './onnx-build';

export const isPosInt = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;

/** Pushes "<key> must be an integer >= 1 (got …)" for each key of `spec` that is not one. */
export function requirePosInts(p: string[], spec: object, keys: string[], optional: string[] = []): void {
  const rec = spec as Record<string, unknown>;
  for (const k of keys) {
    if (optional.includes(k) && rec[k] === undefined) continue;
    if (!isPosInt(rec[k])) p.push(`${k} must be an integer >= 1 (got ${JSON.stringify(rec[k])})`);
  }
}

/** family, dtype and seed, the keys every family shares. */
export function commonProblems(p: string[], spec: { family: string; dtype: string; seed: number }, family: string): void {
  if (spec.family !== family) p.push(`family must be "${family}" (got ${JSON.stringify(spec.family)})`);
  if (spec.dtype !== 'float32' && spec.dtype !== 'float16') {
    p.push(`dtype must be "float32" or "float16" (got ${JSON.stringify(spec.dtype)})`);
  }
  // xoroshiro128+ in pure-rand takes a 32-bit seed; a wider one would silently collide with another.
  if (!Number.isSafeInteger(spec.seed) || spec.seed < 0 || spec.seed > 0xffffffff) {
    p.push(`seed must be an integer in [0, 2^32) (got ${JSON.stringify(spec.seed)})`);
  }
}

export function sizeProblem(p: string[], parameters: number, dtype: Dtype): void {
  if (parameters * bytesPer(dtype) > MAX_WEIGHT_BYTES) {
    const weights = parameters * bytesPer(dtype);
    p.push(`model too large: ${parameters.toLocaleString('en-US')} ${dtype} parameters (${(weights / 2 ** 30).toPrecision(3)} GiB of weights) exceed ONNX's 2 GiB single-file limit`);
  }
}
