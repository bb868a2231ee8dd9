// block.js: one DiT block (science.md section 4) as a plan of kernel steps, and its seeded
// weights and inputs. The same arrays go to the GPU and to the CPU reference
// (core ditReferenceBlock), so the two compute the same block.
//
// DiT-style with adaLN-Zero modulation from the conditioning vector c (per sample):
//   mod = Linear(SiLU(c)) = [shift1, scale1, gate1, shift2, scale2, gate2]
//   x1 = x + gate1 * (Attn(LN(x) * (1 + scale1) + shift1) W_out + b_out)
//   x2 = x1 + CrossAttn(LN(x1), text)          (optional; plain LN, no gate)
//   y  = x2 + gate2 * MLP(LN(x2) * (1 + scale2) + shift2),  MLP = Linear(4d) -> GELU -> Linear(d)
//
//   const config = normalizeBlockConfig({ tokens: 256, width: 1152, heads: 16 });
//   const plan = planBlock(config, gpu.limits, tuningFor(gpu));  // throws Refusal when it cannot fit
//   const data = blockData(config, seed);             // { x, c, text, wMod, bMod, ... }

import { Refusal, attentionFlashStep, layerNormStep, matmulTiledStep, tileRowsFor } from './kernels.js';
import { randomArray } from './random.js';

// Fills defaults and checks the shape; throws a Refusal naming the bad field.
export function normalizeBlockConfig(config = {}) {
  const c = {
    tokens: config.tokens ?? 256,
    width: config.width ?? 384,
    heads: config.heads ?? 6,
    textTokens: config.textTokens ?? 0,
    crossAttention: Boolean(config.crossAttention),
    batch: config.batch ?? 1,
    epsilon: config.epsilon ?? 1e-6,
    tile: config.tile ?? 32,
  };
  for (const name of ['tokens', 'width', 'heads', 'batch']) {
    if (!Number.isInteger(c[name]) || c[name] <= 0) {
      throw new Refusal(`${name} must be a positive integer (got ${config[name]})`);
    }
  }
  if (c.crossAttention && (!Number.isInteger(c.textTokens) || c.textTokens <= 0)) {
    throw new Refusal('cross-attention needs a positive number of text tokens');
  }
  if (c.width % 4 !== 0) throw new Refusal(`width ${c.width} must be a multiple of 4`);
  if (c.width % c.heads !== 0) throw new Refusal(`width ${c.width} is not a multiple of heads ${c.heads}`);
  if ((c.width / c.heads) % 4 !== 0) {
    throw new Refusal(`head dimension ${c.width / c.heads} (width / heads) must be a multiple of 4`);
  }
  return c;
}

// Buffer float counts of the block: weights, inputs and intermediates.
function blockBuffers(c) {
  const d = c.width;
  const rows = c.batch * c.tokens;
  const buffers = {
    x: rows * d, c: c.batch * d,
    wMod: d * 6 * d, bMod: 6 * d, wQkv: d * 3 * d, bQkv: 3 * d, wOut: d * d, bOut: d,
    wMlp1: d * 4 * d, bMlp1: 4 * d, wMlp2: 4 * d * d, bMlp2: d,
    mod: c.batch * 6 * d, h: rows * d, qkv: rows * 3 * d, attn: rows * d, x1: rows * d,
    hidden: rows * 4 * d, out: rows * d,
  };
  if (c.crossAttention) {
    Object.assign(buffers, {
      text: c.batch * c.textTokens * d,
      wCrossQ: d * d, bCrossQ: d, wCrossKv: d * 2 * d, bCrossKv: 2 * d, wCrossOut: d * d, bCrossOut: d,
      q2: rows * d, kv2: c.batch * c.textTokens * 2 * d, x2: rows * d,
    });
  }
  return buffers;
}

// The plan of one block forward pass: output in buffer 'out'.
export function planBlock(config, limits, tuning = {}) {
  const c = normalizeBlockConfig(config);
  const workgroups = tuning.matmulWorkgroups || 0;
  const d = c.width;
  const n = c.tokens;
  const rows = c.batch * n;
  const tile = c.tile;
  const steps = [];
  const gated = (label, a, b, bias, residual, out, k, gateColumn) => matmulTiledStep(limits, {
    label, a, b, bias, residual, out, m: rows, n: d, k, epilogue: 'bias_gated_residual',
    modulation: 'mod', rowsPerSample: n, gateOffset: gateColumn, gateStride: 6 * d, tile, workgroups,
  });
  const modulatedNorm = (label, x, shift, scale) => layerNormStep(limits, {
    label, x, out: 'h', modulation: 'mod', rows, width: d, rowsPerSample: n, modStride: 6 * d,
    shiftOffset: shift, scaleOffset: scale, epsilon: c.epsilon,
  });

  steps.push(matmulTiledStep(limits, {
    label: 'adaLN modulation', a: 'c', b: 'wMod', bias: 'bMod', out: 'mod', m: c.batch, n: 6 * d,
    k: d, epilogue: 'bias', siluA: true, tile, tileM: tileRowsFor(c.batch, tile), workgroups,
  }));
  steps.push(modulatedNorm('LayerNorm + adaLN 1', 'x', 0, d));
  steps.push(matmulTiledStep(limits, {
    label: 'qkv projection', a: 'h', b: 'wQkv', bias: 'bQkv', out: 'qkv', m: rows, n: 3 * d, k: d,
    epilogue: 'bias', tile, workgroups,
  }));
  steps.push(attentionFlashStep(limits, {
    label: 'self-attention', q: 'qkv', k: 'qkv', v: 'qkv', out: 'attn', queries: n, keys: n,
    heads: c.heads, width: d, samples: c.batch, qStride: 3 * d, kvStride: 3 * d, qOffset: 0,
    kOffset: d, vOffset: 2 * d,
  }));
  steps.push(gated('out projection + gate', 'attn', 'wOut', 'bOut', 'x', 'x1', d, 2 * d));
  let residual = 'x1';
  if (c.crossAttention) {
    steps.push(layerNormStep(limits, { label: 'LayerNorm (cross)', x: 'x1', out: 'h', rows, width: d,
                                       epsilon: c.epsilon }));
    steps.push(matmulTiledStep(limits, {
      label: 'cross q projection', a: 'h', b: 'wCrossQ', bias: 'bCrossQ', out: 'q2', m: rows, n: d,
      k: d, epilogue: 'bias', tile, workgroups,
    }));
    steps.push(matmulTiledStep(limits, {
      label: 'cross kv projection', a: 'text', b: 'wCrossKv', bias: 'bCrossKv', out: 'kv2',
      m: c.batch * c.textTokens, n: 2 * d, k: d, epilogue: 'bias', tile, workgroups,
    }));
    steps.push(attentionFlashStep(limits, {
      label: 'cross-attention', q: 'q2', k: 'kv2', v: 'kv2', out: 'attn', queries: n,
      keys: c.textTokens, heads: c.heads, width: d, samples: c.batch, kvStride: 2 * d, kOffset: 0,
      vOffset: d,
    }));
    steps.push(matmulTiledStep(limits, {
      label: 'cross out projection', a: 'attn', b: 'wCrossOut', bias: 'bCrossOut', residual: 'x1',
      out: 'x2', m: rows, n: d, k: d, epilogue: 'bias_residual', tile, workgroups,
    }));
    residual = 'x2';
  }
  steps.push(modulatedNorm('LayerNorm + adaLN 2', residual, 3 * d, 4 * d));
  steps.push(matmulTiledStep(limits, {
    label: 'MLP up + GELU', a: 'h', b: 'wMlp1', bias: 'bMlp1', out: 'hidden', m: rows, n: 4 * d,
    k: d, epilogue: 'bias_gelu', tile, workgroups,
  }));
  steps.push(gated('MLP down + gate', 'hidden', 'wMlp2', 'bMlp2', residual, 'out', 4 * d, 5 * d));
  return { config: c, buffers: blockBuffers(c), steps, output: 'out' };
}

// Seeded weights and inputs, scaled so activations stay of order one: weights uniform in
// +-1/sqrt(fan_in), biases in +-0.1, x, c and text in +-1.
export function blockData(config, seed = 1) {
  const c = normalizeBlockConfig(config);
  const d = c.width;
  let s = seed * 1000;
  const weight = (rows, cols) => randomArray(rows * cols, ++s, 1 / Math.sqrt(rows));
  const bias = (count) => randomArray(count, ++s, 0.1);
  const data = {
    x: randomArray(c.batch * c.tokens * d, ++s), c: randomArray(c.batch * d, ++s),
    wMod: weight(d, 6 * d), bMod: bias(6 * d), wQkv: weight(d, 3 * d), bQkv: bias(3 * d),
    wOut: weight(d, d), bOut: bias(d), wMlp1: weight(d, 4 * d), bMlp1: bias(4 * d),
    wMlp2: weight(4 * d, d), bMlp2: bias(d),
  };
  if (c.crossAttention) {
    Object.assign(data, {
      text: randomArray(c.batch * c.textTokens * d, ++s),
      wCrossQ: weight(d, d), bCrossQ: bias(d), wCrossKv: weight(d, 2 * d), bCrossKv: bias(2 * d),
      wCrossOut: weight(d, d), bCrossOut: bias(d),
    });
  }
  return data;
}
