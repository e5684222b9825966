export type Random = () => number;

// A module constant, not `Math.imul` per call: Jest runs each test file in a vm context, where every global
// look-up goes through the context's interceptor and costs more than the arithmetic.
const { imul } = Math;

/** mulberry32: a small, fast, seedable PRNG, so generated test data and shuffles are reproducible. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
