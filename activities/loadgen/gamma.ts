/**
 * Gamma-distributed draws from a uniform stream, pure: Marsaglia and Tsang's method ("A simple method for
 * generating gamma variables", 2000), with their boost for shape < 1 (draw at shape + 1, times U^(1/shape)).
 * The normal draws it needs come from Box–Muller over the same stream, so a seed fixes every draw.
 */
import type { Uniform } from '../rng';

/** Standard normal draws (Box–Muller, both values of each pair used). */
function normalFrom(uniform: Uniform): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(1 - uniform())); // 1 - u is in (0, 1]: the log is finite
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
}

/** Draws of Gamma(shape, scale): mean shape × scale, coefficient of variation 1 / √shape. */
export function gammaSampler(shape: number, scale: number, uniform: Uniform): () => number {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new RangeError(`gamma shape must be a positive number, got ${shape}`);
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`gamma scale must be a positive number, got ${scale}`);
  const normal = normalFrom(uniform);
  const boosted = shape < 1;
  const d = (boosted ? shape + 1 : shape) - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  const standard = (): number => {
    for (;;) {
      const x = normal();
      const t = 1 + c * x;
      if (t <= 0) continue;
      const v = t * t * t;
      const u = uniform();
      // The squeeze accepts most draws without a log.
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  };
  return boosted ? () => standard() * Math.pow(uniform(), 1 / shape) * scale : () => standard() * scale;
}
