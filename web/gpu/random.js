// random.js: seeded pseudo-random data for the kernel checks and benchmarks, and the error measure
// the checks use. Deterministic: the same seed gives the same numbers in every browser.

// xorshift32 generator; returns a function giving floats uniform in [-1, 1).
export function uniformGenerator(seed) {
  let state = (seed >>> 0) || 0x9e3779b9;  // xorshift must not start at 0
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2147483648 - 1;
  };
}

// A Float32Array of `count` values uniform in [-scale, scale) (+ offset).
export function randomArray(count, seed, scale = 1, offset = 0) {
  const next = uniformGenerator(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = offset + scale * next();
  return out;
}

// Relative error of `actual` against `reference`: max |actual - reference| / max |reference|.
// Normalising by the largest reference magnitude (not element by element) keeps the measure
// meaningful where single outputs cancel to near zero: an f32 sum of K products has an absolute
// error of order K * 2^-24 * max|term|, not of order |sum|. Non-finite output or a length
// mismatch gives Infinity.
export function maxRelativeError(actual, reference) {
  if (!actual || !reference || actual.length !== reference.length) return Infinity;
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < reference.length; i++) {
    const diff = Math.abs(actual[i] - reference[i]);
    if (!Number.isFinite(actual[i]) || Number.isNaN(diff)) return Infinity;
    if (diff > maxDiff) maxDiff = diff;
    if (Math.abs(reference[i]) > maxRef) maxRef = Math.abs(reference[i]);
  }
  return maxDiff / Math.max(maxRef, 1e-30);
}
