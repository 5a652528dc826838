/**
 * Seeded pseudo-random streams (pure-rand's xoroshiro128+), shared by the model generator (weights) and the
 * load generator (arrival schedules, request data). Same seed, same stream, on every platform.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';

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
 * xoroshiro128plus(seed) returns ~seed as its first value, which would make the first draw of every small seed
 * ≈ 1 (e.g. a huge first Poisson gap): the seed is hashed and the first outputs discarded. Only the low 32 bits
 * of a seed matter.
 */
function generator(seed: number): RandomGenerator {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const g = xoroshiro128plus(mix32(seed));
  for (let i = 0; i < 16; i++) g.next();
  return g;
}

/** Deterministic uniform [0, 1) doubles for `seed`. */
export function seededUniform(seed: number): Uniform {
  const g = generator(seed);
  return () => uniformFloat64(g);
}

/**
 * Deterministic floats in [-bound, bound) for `seed`, from 24 random bits: exact in float32, so weights are
 * byte-identical wherever they are generated.
 */
export function seededSymmetric(seed: number): (bound: number) => number {
  const g = generator(seed);
  return (bound) => (((g.next() & 0xffffff) / 0x1000000) * 2 - 1) * bound;
}
