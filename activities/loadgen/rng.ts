/**
 * Seeded uniform PRNG on pure-rand's xoroshiro128+.
 *
 * pure-rand 8 publishes only subpath "exports", which the repo's
 * moduleResolution "node" cannot type, so the two functions used are required
 * at runtime (Node resolves the exports map) and typed here by hand.
 */
interface PureRandGenerator {
  next(): number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { xoroshiro128plus } = require('pure-rand/generator/xoroshiro128plus') as {
  xoroshiro128plus(seed: number): PureRandGenerator;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { uniformFloat64 } = require('pure-rand/distribution/uniformFloat64') as {
  uniformFloat64(rng: PureRandGenerator): number;
};

/** A stateful source of uniform doubles in [0, 1). */
export interface Uniform {
  (): number;
}

/** splitmix32-style finaliser: nearby seeds (1, 2, 3…) get unrelated states. */
function mix32(seed: number): number {
  let z = (seed | 0) + 0x9e3779b9;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}

/**
 * Deterministic uniform [0, 1) stream for `seed` (only its low 32 bits matter).
 * The seed is hashed and the first outputs discarded because xoroshiro128plus(seed)
 * returns ~seed as its first value, which would make the first draw of every small
 * seed ≈ 1 (a huge first Poisson gap).
 */
export function seededUniform(seed: number): Uniform {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const g = xoroshiro128plus(mix32(seed));
  for (let i = 0; i < 16; i++) g.next();
  return () => uniformFloat64(g);
}
