// The WebGPU planners without a browser (web/gpu/kernels.js, block.js, plan.js are plain ES
// modules): FLOP counts against science.md section 4, and refusals under the WebGPU default
// limits, which are lower than SwiftShader's (so the browser test cannot reach them).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planBlock } from '../../web/gpu/block.js';
import { Refusal, attentionFlashStep, matmulTiledStep } from '../../web/gpu/kernels.js';
import { checkPlan } from '../../web/gpu/plan.js';

// The WebGPU spec's default limits.
const DEFAULTS = {
  maxStorageBufferBindingSize: 134217728, maxBufferSize: 268435456,
  maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupsPerDimension: 65535,
};

const sumFlops = (plan, kernels) => plan.steps
  .filter((s) => kernels.includes(s.kernel)).reduce((sum, s) => sum + s.flops, 0);

test('the block dispatches the multiply-adds of science.md section 4 (DiT-XL/2: 118.6 GMACs)', () => {
  // DiT-XL/2 at 256x256: depth 28, d 1152, n 256, 16 heads; science.md: 118.6 GMACs per forward.
  const plan = planBlock({ tokens: 256, width: 1152, heads: 16 }, DEFAULTS);
  const macs = sumFlops(plan, ['matmul_tiled', 'attention_flash']) / 2;
  assert.ok(Math.abs((28 * macs) / 118.6e9 - 1) < 5e-4, `${(28 * macs) / 1e9} GMACs`);
  // With cross-attention to M text tokens: + 2 n d^2 + 2 M d^2 + 2 n M d MACs per block.
  const [n, d, m] = [256, 1152, 120];
  const cross = planBlock({ tokens: n, width: d, heads: 16, textTokens: m, crossAttention: true }, DEFAULTS);
  const extra = sumFlops(cross, ['matmul_tiled', 'attention_flash']) / 2 - macs;
  assert.equal(extra, 2 * n * d * d + 2 * m * d * d + 2 * n * m * d);
  assert.equal(checkPlan(plan, DEFAULTS) > 0, true);
});

test('the attention key tile shrinks to fit the workgroup memory it is given', () => {
  // Head dimension 72: 32 keys of k and v need 18 KiB, over the 16 KiB default.
  const args = { q: 'q', k: 'k', v: 'v', out: 'o', queries: 64, keys: 64, heads: 16, width: 1152 };
  assert.equal(attentionFlashStep(DEFAULTS, args).constants.BLOCK_KV, 16);
  assert.equal(attentionFlashStep({ ...DEFAULTS, maxComputeWorkgroupStorageSize: 32768 }, args)
    .constants.BLOCK_KV, 32);
  assert.ok(attentionFlashStep(DEFAULTS, args).workgroupBytes <= 16384);
  assert.throws(() => attentionFlashStep({ ...DEFAULTS, maxComputeWorkgroupStorageSize: 256 }, args),
                (error) => error instanceof Refusal && /workgroup memory/.test(error.message));
});

test('sizes over the default limits are refused before anything is allocated', () => {
  // 4100 tokens of width 2048: the MLP hidden layer is 128.1 MiB, over the 128 MiB binding default.
  const plan = planBlock({ tokens: 4100, width: 2048, heads: 16 }, DEFAULTS);
  assert.throws(() => checkPlan(plan, DEFAULTS),
                (error) => error instanceof Refusal && /'hidden' needs 128\.1 MiB.*maxStorageBufferBindingSize/.test(error.message));
  assert.ok(checkPlan(plan, { ...DEFAULTS, maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 30 }) > 0);
  // The 64 x 64 tile's 256 threads fit the default; a 64-thread limit refuses it.
  const step = { a: 'a', b: 'b', out: 'c', m: 64, n: 64, k: 64, tile: 64 };
  assert.equal(matmulTiledStep(DEFAULTS, step).groups.join(), '1,1,1');
  assert.throws(() => matmulTiledStep({ ...DEFAULTS, maxComputeInvocationsPerWorkgroup: 64 }, step), Refusal);
  // Past 65535 tiles in a dimension the tiled matmul loops: 2.1 million rows are 65625 tile rows.
  assert.equal(matmulTiledStep(DEFAULTS, { ...step, m: 2100000, n: 4, k: 4, tile: 32 }).groups.join(),
               '65535,1,1');
  assert.equal(matmulTiledStep(DEFAULTS, { ...step, tile: 32, workgroups: 3 }).groups.join(), '3,1,1');
  assert.equal(matmulTiledStep(DEFAULTS, { ...step, tile: 32, workgroups: 16 }).groups.join(), '2,2,1');
  // Shapes the vec4 layout cannot take, and nonsense.
  assert.throws(() => matmulTiledStep(DEFAULTS, { ...step, k: 62 }), /multiple of 4/);
  assert.throws(() => matmulTiledStep(DEFAULTS, { ...step, m: 0 }), /positive integer/);
  assert.throws(() => matmulTiledStep(DEFAULTS, { ...step, m: NaN }), /positive integer/);
  assert.throws(() => matmulTiledStep(DEFAULTS, { ...step, epilogue: 'relu' }), /unknown epilogue/);
  assert.throws(() => planBlock({ tokens: 16, width: 64, heads: 3 }, DEFAULTS), /multiple of heads/);
  assert.throws(() => planBlock({ tokens: 16, width: 40, heads: 4 }, DEFAULTS), /head dimension 10/);
  assert.throws(() => planBlock({ tokens: 16, width: 64, heads: 4, crossAttention: true }, DEFAULTS),
                /text tokens/);
});
