// The WebGPU kernels in headless Chromium (kernel lab page, web/kernels.html): every kernel and
// the DiT block against the core's double-precision reference, timings, refusals of sizes the
// adapter cannot hold, and the page without WebGPU. Chromium's --enable-unsafe-webgpu gives a
// SwiftShader (CPU) adapter here; without any adapter the first test fails, it does not skip.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, openPage } from './harness.mjs';

// Max |gpu - ref| / max |ref| per case (web/gpu/check.js justifies 1e-3 for f32 kernels).
const TOLERANCE = 1e-3;

let session;
let lab;  // the kernel lab page with WebGPU, shared by the tests below (compiled pipelines stay)

before(async () => {
  session = await launch();
  lab = await openPage(session.browser, `${session.url}kernels.html`);
  const gpu = await lab.page.evaluate(() => window.kernelLab.whenReady);
  assert.ok(gpu.ok, `no WebGPU adapter in headless Chromium: ${gpu.message}`);
});
after(async () => { await session?.close(); });

test('every kernel and the block match the CPU reference, sizes off the tiles included', async () => {
  const { page, problems } = lab;
  const results = await page.evaluate(() => window.kernelLab.checkKernels());
  for (const r of results) {
    assert.ok(r.ok, `${r.kernel}: ${r.message}`);
    assert.ok(r.maxRelError <= TOLERANCE, `${r.kernel}: error ${r.maxRelError}`);
  }
  const names = results.map((r) => r.kernel).join('\n');
  for (const family of ['matmul_tiled', 'matmul_naive', 'layernorm_modulate', 'attention_flash',
                        'attention_naive', 'dit_block']) {
    assert.match(names, new RegExp(`^${family}`, 'm'), `a check of ${family}`);
  }
  // Sizes that are not multiples of the 32 x 32 tile, and cross-attention with M != n.
  assert.match(names, /matmul_tiled 32x32 37x52x44/);
  assert.match(names, /attention_flash cross n=37 m=11/);
  assert.match(names, /dit_block .* cross text=7 batch=2/);
  // The page shows one row per check.
  assert.equal(await page.locator('#checks-table tbody tr').count(), results.length);
  assert.deepEqual(problems, []);
});

test('a block is timed per kernel, with timestamps and with the wall clock', async () => {
  const { page, problems } = lab;
  const config = { tokens: 37, width: 32, heads: 2, textTokens: 5, crossAttention: true, repeats: 2 };
  const timed = await page.evaluate((c) => window.kernelLab.measureBlock(c), config);
  assert.ok(timed.ok, timed.message);
  assert.equal(timed.timing, 'timestamp-query', 'SwiftShader offers timestamp-query');
  const names = timed.kernels.map((k) => k.name);
  assert.equal(names.length, 13, names.join(', '));
  assert.ok(names.includes('cross-attention') && names.includes('MLP up + GELU'));
  for (const k of timed.kernels) {
    assert.ok(k.ms >= 0 && Number.isFinite(k.gflops) && k.flops > 0, JSON.stringify(k));
  }
  // FLOPs as dispatched: the MLP up projection is 2 n d (4 d) = 2 * 37 * 32 * 128.
  assert.equal(timed.kernels.find((k) => k.name === 'MLP up + GELU').flops, 2 * 37 * 32 * 128);
  assert.ok(timed.blockMs > 0 && timed.blockGflops > 0);
  assert.match(await page.textContent('#block-summary'), /ms per block/);

  const wall = await page.evaluate((c) => window.kernelLab.measureBlock({ ...c, timing: 'wall-clock' }),
                                   { ...config, repeats: 1 });
  assert.ok(wall.ok, wall.message);
  assert.equal(wall.timing, 'wall-clock');
  assert.ok(wall.blockMs > 0 && wall.kernels.every((k) => k.ms > 0));
  assert.deepEqual(problems, []);
});

test('sizes beyond the adapter limits are refused with a message, and the device survives', async () => {
  const { page, problems } = lab;
  const out = await page.evaluate(async () => {
    const lab = window.kernelLab;
    const limits = (await lab.initGpu()).limits;
    // The MLP hidden layer [tokens, 4 width] is 70000 * 4096 * 4 bytes = 1.07 GiB.
    const storage = await lab.measureBlock({ tokens: 70000, width: 1024, heads: 16 });
    // The naive matmul has one thread per output, 16 x 16 per workgroup: 2.1 million rows are
    // 131250 workgroups along y. (The tiled one loops over its tiles instead.)
    const workgroups = await lab.measureMatmul({ m: 2100000, n: 4, k: 4, kernel: 'naive' });
    const headDim = await lab.measureAttention({ queries: 8, heads: 1, headDim: 256 });
    const shape = await lab.measureBlock({ tokens: 8, width: 30, heads: 4 });
    const scores = await lab.measureAttention({ queries: 20000, heads: 1, headDim: 4, kernel: 'naive' });
    const gpu = await lab.initGpu();
    const small = await lab.measureMatmul({ m: 8, n: 8, k: 8, repeats: 1 });
    return { limits, storage, workgroups, headDim, shape, scores, gpu, small };
  });
  assert.ok(out.limits.maxStorageBufferBindingSize < 70000 * 4096 * 4,
            'the storage refusal needs a binding limit below 1.07 GiB');
  assert.equal(out.storage.ok, false);
  assert.match(out.storage.message, /refused: buffer 'hidden' .* maxStorageBufferBindingSize/);
  assert.equal(out.workgroups.ok, false);
  assert.match(out.workgroups.message, /131250 workgroups along y .* maxComputeWorkgroupsPerDimension of 65535/);
  assert.match(out.headDim.message, /head dimension 256/);
  assert.match(out.shape.message, /width 30 must be a multiple of 4/);
  // The naive attention's 20000 x 20000 score matrix (1.5 GiB) cannot be bound.
  assert.match(out.scores.message, /buffer 'scores' .* maxStorageBufferBindingSize/);
  assert.ok(out.gpu.ok, `device lost: ${out.gpu.message}`);
  assert.ok(out.small.ok, out.small.message);
  assert.deepEqual(problems, []);
});

test('timings are withheld when a kernel check fails', async () => {
  const { page, problems } = lab;
  const out = await page.evaluate(async () => {
    const { checkKernels, measureMatmul } = await import('./gpu/dit_gpu.js');
    const core = window.kernelLab.core;
    // A reference that is off by one in its first output: the matmul checks must catch it.
    const skewed = new Proxy(core, {
      get(target, key) {
        if (key !== 'ditReferenceMatmul') return target[key];
        return (...args) => {
          const result = target.ditReferenceMatmul(...args);
          result.values[0] += 1;
          return result;
        };
      },
    });
    const failing = await checkKernels(skewed);
    const refused = await measureMatmul({ m: 8, n: 8, k: 8, repeats: 1 });
    const passing = await checkKernels(core);
    const allowed = await measureMatmul({ m: 8, n: 8, k: 8, repeats: 1 });
    return { failed: failing.filter((r) => !r.ok).map((r) => r.kernel), refused, passing, allowed };
  });
  assert.ok(out.failed.some((name) => name.startsWith('matmul_tiled')), out.failed.join('; '));
  assert.equal(out.refused.ok, false);
  assert.match(out.refused.message, /kernel check failed/);
  assert.ok(out.passing.every((r) => r.ok));
  assert.ok(out.allowed.ok, out.allowed.message);
  assert.deepEqual(problems, []);
});

test('the benchmark compares tiled with naive kernels', async () => {
  const { page, problems } = lab;
  const result = await page.evaluate(() => window.kernelLab.benchmark(
    { matmulSizes: [48], attentionLengths: [40], heads: 2, headDim: 16, rounds: 1 }));
  assert.ok(result.ok, result.message);
  assert.deepEqual(result.rows.map((r) => r.kernel),
                   ['matmul tiled', 'matmul naive', 'attention flash', 'attention naive']);
  assert.ok(result.rows.every((r) => r.ok && r.gflops > 0), JSON.stringify(result.rows));
  assert.ok(result.ratios.every((r) => r.ratio > 0));
  assert.equal(await page.locator('#bench-table tbody tr').count(), 4);
  assert.deepEqual(problems, []);
});

test('without WebGPU the kernel lab says so, and logs no error', async () => {
  const context = await session.browser.newContext();
  await context.addInitScript(() => {
    delete Navigator.prototype.gpu;
  });
  const { page, problems } = await openPage(session.browser, `${session.url}kernels.html`, { context });
  const gpu = await page.evaluate(() => window.kernelLab.whenReady);
  assert.equal(gpu.ok, false);
  assert.equal(await page.evaluate(() => 'gpu' in navigator), false);
  await page.waitForFunction(() => document.getElementById('gpu-status').classList.contains('error'));
  assert.match(await page.textContent('#gpu-status'), /WebGPU unavailable/);
  assert.ok(await page.locator('#run-checks').isDisabled());
  // The API answers with the same message instead of throwing.
  const checks = await page.evaluate(() => window.kernelLab.checkKernels());
  assert.equal(checks[0].ok, false);
  assert.match(checks[0].message, /WebGPU unavailable/);
  const block = await page.evaluate(() => window.kernelLab.measureBlock({ tokens: 8, width: 16, heads: 2 }));
  assert.equal(block.ok, false);
  assert.match(block.message, /WebGPU unavailable/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('with navigator.gpu but no adapter the kernel lab says so', async () => {
  const context = await session.browser.newContext();
  await context.addInitScript(() => {
    if (navigator.gpu) navigator.gpu.requestAdapter = async () => null;
  });
  const { page, problems } = await openPage(session.browser, `${session.url}kernels.html`, { context });
  const gpu = await page.evaluate(() => window.kernelLab.whenReady);
  assert.equal(gpu.ok, false);
  assert.match(gpu.message, /WebGPU unavailable: no GPU adapter/);
  assert.match(await page.textContent('#gpu-status'), /WebGPU unavailable/);
  assert.deepEqual(problems, []);
  await context.close();
});
