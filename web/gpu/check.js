// check.js: every kernel against the CPU reference of the core (src/core/dit_reference.h, through
// the Embind functions ditReference*), on seeded inputs, at small sizes that include sizes not
// multiple of the tiles. A kernel passes when max|gpu - ref| / max|ref| <= CHECK_TOLERANCE.
//
// Why 1e-3: the kernels compute in f32 (unit roundoff 6e-8); an f32 sum of K products has a
// worst-case error of K * 6e-8 * max|term| (2e-5 for K = 400, the largest inner size here) and a
// typical one of sqrt(K) times less, while a wrong index, a missed tile edge or a dropped rescale
// moves outputs by a sizeable fraction of their magnitude (> 1e-2). The reference is double.

import { attentionFlashStep, attentionNaiveSteps, layerNormStep, matmulNaiveStep,
         matmulTiledStep, tuningFor } from './kernels.js';
import { PreparedPlan, checkPlan } from './plan.js';
import { blockData, planBlock } from './block.js';
import { maxRelativeError, randomArray } from './random.js';

export const CHECK_TOLERANCE = 1e-3;

// Runs plan with inputs, reads `output`, compares with `reference` ({ok, message, values}).
async function compare(gpu, library, name, plan, inputs, output, reference) {
  if (!reference.ok) return { kernel: name, ok: false, maxRelError: Infinity, message: `reference: ${reference.message}` };
  checkPlan(plan, gpu.limits);
  const run = await PreparedPlan.create(gpu, library, plan, inputs);
  try {
    await run.run();
    const actual = await run.read(output);
    const error = maxRelativeError(actual, reference.values);
    const ok = error <= CHECK_TOLERANCE;
    return {
      kernel: name, ok, maxRelError: error,
      message: ok ? '' : `max relative error ${error.toExponential(2)} is over ${CHECK_TOLERANCE}`,
    };
  } finally {
    run.destroy();
  }
}

function matmulCase(limits, core, { m, k, n, epilogue = 'none', silu = false, samples = 1,
                                    gateOffset = 0, tile = 32, tileM = tile, aScale = 1,
                                    workgroups = 0, seed }) {
  const a = randomArray(m * k, seed, aScale);
  const b = randomArray(k * n, seed + 1, 1 / Math.sqrt(k));
  const bias = randomArray(n, seed + 2, 0.5);
  const residual = randomArray(m * n, seed + 3);
  const gateStride = gateOffset + n;
  const modulation = randomArray(samples * gateStride, seed + 4);
  const gate = new Float32Array(samples * n);
  for (let s = 0; s < samples; s++) {
    gate.set(modulation.subarray(s * gateStride + gateOffset, s * gateStride + gateOffset + n), s * n);
  }
  const rowsPerSample = m / samples;
  const step = matmulTiledStep(limits, {
    a: 'a', b: 'b', out: 'c', bias: 'bias', residual: 'residual', modulation: 'modulation', m, n, k,
    epilogue, siluA: silu, rowsPerSample, gateOffset, gateStride, tile, tileM, workgroups,
  });
  const plan = {
    buffers: { a: m * k, b: k * n, c: m * n, bias: n, residual: m * n, modulation: samples * gateStride },
    steps: [step],
  };
  const reference = core.ditReferenceMatmul(a, b, m, k, n, {
    epilogue, siluInput: silu, bias, residual, gate, rowsPerSample,
  });
  const name = `matmul_tiled ${tileM}x${tile} ${m}x${k}x${n} ${epilogue}${silu ? ' silu(A)' : ''}` +
               `${samples > 1 ? ` ${samples} samples` : ''}` +
               `${step.groups[1] === 1 && step.groups[0] < Math.ceil(n / tile) * Math.ceil(m / tileM) ?
                 ` ${step.groups[0]} workgroups looping over the tiles` : ''}`;
  return { name, plan, inputs: { a, b, bias, residual, modulation }, output: 'c', reference };
}

function naiveMatmulCase(limits, core, { m, k, n, seed }) {
  const a = randomArray(m * k, seed);
  const b = randomArray(k * n, seed + 1);
  return {
    name: `matmul_naive ${m}x${k}x${n}`,
    plan: { buffers: { a: m * k, b: k * n, c: m * n }, steps: [matmulNaiveStep(limits, { a: 'a', b: 'b', out: 'c', m, n, k })] },
    inputs: { a, b }, output: 'c', reference: core.ditReferenceMatmul(a, b, m, k, n, {}),
  };
}

function layerNormCase(limits, core, { rows, width, samples = 0, seed }) {
  const x = randomArray(rows * width, seed, 2, 0.5);
  const stride = 3 * width;  // [?, shift, scale] per sample: offsets 1 and 2 widths in
  const modulation = randomArray(Math.max(samples, 1) * stride, seed + 1);
  const plan = {
    buffers: { x: rows * width, out: rows * width, modulation: Math.max(samples, 1) * stride },
    steps: [layerNormStep(limits, {
      x: 'x', out: 'out', modulation: samples ? 'modulation' : null, rows, width,
      rowsPerSample: samples ? rows / samples : rows, modStride: stride, shiftOffset: width,
      scaleOffset: 2 * width,
    })],
  };
  const options = {};
  if (samples) {
    const shift = new Float32Array(samples * width);
    const scale = new Float32Array(samples * width);
    for (let s = 0; s < samples; s++) {
      shift.set(modulation.subarray(s * stride + width, s * stride + 2 * width), s * width);
      scale.set(modulation.subarray(s * stride + 2 * width, s * stride + 3 * width), s * width);
    }
    Object.assign(options, { shift, scale, rowsPerSample: rows / samples });
  }
  return {
    name: `layernorm_modulate ${rows}x${width}${samples ? ` adaLN ${samples} samples` : ' plain'}`,
    plan, inputs: { x, modulation }, output: 'out',
    reference: core.ditReferenceLayerNorm(x, rows, width, options),
  };
}

function attentionCase(limits, core, { queries, keys, heads, headDim, samples = 1, naive = false, seed }) {
  const width = heads * headDim;
  const q = randomArray(samples * queries * width, seed, 2);
  const k = randomArray(samples * keys * width, seed + 1, 2);
  const v = randomArray(samples * keys * width, seed + 2);
  const args = { q: 'q', k: 'k', v: 'v', out: 'out', queries, keys, heads, width, samples };
  const buffers = { q: q.length, k: k.length, v: v.length, out: samples * queries * width };
  let steps;
  if (naive) {
    buffers.scores = samples * heads * queries * keys;
    steps = attentionNaiveSteps(limits, { ...args, scores: 'scores' });
  } else {
    steps = [attentionFlashStep(limits, args)];
  }
  const kind = keys === queries ? 'self' : 'cross';
  return {
    name: `attention_${naive ? 'naive' : 'flash'} ${kind} n=${queries} m=${keys} heads=${heads} ` +
          `head_dim=${headDim}${samples > 1 ? ` ${samples} samples` : ''}`,
    plan: { buffers, steps }, inputs: { q, k, v }, output: 'out',
    reference: core.ditReferenceAttention(q, k, v, { batch: samples, queries, keys, width, heads }),
  };
}

function blockCase(limits, tuning, core, config, seed) {
  const plan = planBlock(config, limits, tuning);
  const data = blockData(config, seed);
  const c = plan.config;
  return {
    name: `dit_block tokens=${c.tokens} width=${c.width} heads=${c.heads}` +
          `${c.crossAttention ? ` cross text=${c.textTokens}` : ''}${c.batch > 1 ? ` batch=${c.batch}` : ''}`,
    plan, inputs: data, output: plan.output,
    reference: core.ditReferenceBlock(c, data, data),
  };
}

// The cases: each builder runs lazily so one failing builder is reported, not thrown.
function cases(limits, tuning, core) {
  const { matmulWorkgroups: workgroups } = tuning;
  return [
    () => matmulCase(limits, core, { m: 64, k: 64, n: 64, workgroups, seed: 10 }),
    () => matmulCase(limits, core, { m: 37, k: 52, n: 44, epilogue: 'bias', workgroups, seed: 20 }),
    // 3 workgroups for 12 tiles: each loops over 4 (the path that lifts the dispatch limit).
    () => matmulCase(limits, core, { m: 70, k: 40, n: 100, epilogue: 'bias', workgroups: 3, seed: 25 }),
    () => matmulCase(limits, core, { m: 33, k: 36, n: 100, epilogue: 'bias_gelu', aScale: 30, seed: 30 }),
    () => matmulCase(limits, core, { m: 5, k: 8, n: 12, epilogue: 'bias_residual', seed: 40 }),
    () => matmulCase(limits, core, { m: 70, k: 40, n: 48, epilogue: 'bias_gated_residual', samples: 2,
                                     gateOffset: 96, seed: 50 }),
    () => matmulCase(limits, core, { m: 2, k: 48, n: 288, epilogue: 'bias', silu: true, aScale: 4, tileM: 4,
                                     seed: 60 }),
    () => matmulCase(limits, core, { m: 7, k: 36, n: 40, epilogue: 'bias_gated_residual', tileM: 4, seed: 65 }),
    () => matmulCase(limits, core, { m: 130, k: 68, n: 132, epilogue: 'bias_gelu', tile: 64, seed: 70 }),
    () => naiveMatmulCase(limits, core, { m: 37, k: 51, n: 45, seed: 80 }),
    () => layerNormCase(limits, core, { rows: 38, width: 52, samples: 2, seed: 90 }),
    () => layerNormCase(limits, core, { rows: 5, width: 400, seed: 100 }),
    () => attentionCase(limits, core, { queries: 37, keys: 37, heads: 3, headDim: 16, seed: 110 }),
    () => attentionCase(limits, core, { queries: 37, keys: 11, heads: 2, headDim: 16, seed: 120 }),
    () => attentionCase(limits, core, { queries: 5, keys: 70, heads: 1, headDim: 24, seed: 130 }),
    () => attentionCase(limits, core, { queries: 9, keys: 13, heads: 2, headDim: 16, samples: 2, seed: 140 }),
    () => attentionCase(limits, core, { queries: 37, keys: 37, heads: 3, headDim: 16, naive: true, seed: 150 }),
    () => attentionCase(limits, core, { queries: 20, keys: 11, heads: 2, headDim: 8, samples: 2, naive: true,
                                        seed: 160 }),
    () => blockCase(limits, tuning, core, { tokens: 37, width: 48, heads: 3 }, 170),
    () => blockCase(limits, tuning, core, { tokens: 19, width: 32, heads: 2, textTokens: 7,
                                            crossAttention: true, batch: 2 }, 180),
  ];
}

// [{kernel, ok, maxRelError, message}] for every case. Never throws: a case that cannot be built
// or run is a failed result with the reason.
// shouldStop: optional () => '' or why to stop; checked between cases (a stopped check ends with a
// failed 'checks' entry saying why).
export async function runChecks(gpu, library, core, shouldStop = null) {
  const results = [];
  for (const build of cases(gpu.limits, tuningFor(gpu), core)) {
    const why = shouldStop ? shouldStop() : '';
    if (why) {
      results.push({ kernel: 'checks', ok: false, maxRelError: NaN, message: why, stopped: true });
      break;
    }
    let name = 'unnamed case';
    try {
      const c = build();
      name = c.name;
      results.push(await compare(gpu, library, c.name, c.plan, c.inputs, c.output, c.reference));
    } catch (error) {
      results.push({ kernel: name, ok: false, maxRelError: Infinity, message: `${error.message || error}` });
    }
    if (gpu.lost) break;
  }
  return results;
}
