/**
 * Seeded weight generator on top of pure-rand's xoroshiro128+.
 *
 * pure-rand 8 ships only subpath `exports`, which this project's
 * `moduleResolution: "node"` cannot see; so the types come from the package's
 * lib/ folder and the runtime module from the exported subpath.
 */
import type * as Xoroshiro from 'pure-rand/lib/generator/xoroshiro128plus';

const { xoroshiro128plus } = require('pure-rand/generator/xoroshiro128plus') as typeof Xoroshiro;

/** Returns a function that yields uniform floats in [-bound, bound), deterministically from `seed`. */
export function uniformSource(seed: number): (bound: number) => number {
  const rng = xoroshiro128plus(seed);
  // 24 random bits, like pure-rand's uniformFloat32: exact in float32, so no platform-dependent rounding.
  return (bound) => (((rng.next() & 0xffffff) / 0x1000000) * 2 - 1) * bound;
}
