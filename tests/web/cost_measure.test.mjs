// web/gpu/cost_measure.js with a fake device and a fake clock: software adapters are recognised
// and timed at the reduced tokens, the time budget and cancel stop between blocks, a failed
// kernel check reports no timings.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { isSoftwareAdapter, measureCost, resetCheckForTests } from '../../web/gpu/cost_measure.js';

const REQUESTS = ['a', 'b', 'c', 'd'].map((label) => ({
  label, tokens: 1280, fallbackTokens: 40, width: 2048, heads: 32, textTokens: 0, depth: 24,
}));

// A device whose every block takes `blockSeconds` of the fake clock.
function fakeGpu({ adapterName = 'NVIDIA GeForce RTX 4090', fallback = false, checksOk = true,
                   blockSeconds = 1, clock, onBlock = () => {} } = {}) {
  const calls = [];
  return {
    calls,
    initGpu: async () => ({ ok: true, message: '', adapterName, fallback }),
    checkKernels: async () => [{ kernel: 'matmul', ok: checksOk, message: checksOk ? '' : 'off by 1e-1' }],
    measureBlock: async (options) => {
      calls.push(options);
      onBlock(options);
      clock.t += blockSeconds * 1000;
      return { ok: true, timing: 'timestamp-query', blockMs: 2, blockGflops: 5, kernels: [] };
    },
  };
}

beforeEach(() => resetCheckForTests());

test('software adapters are recognised by flag or by description', () => {
  assert.equal(isSoftwareAdapter({ adapterName: 'Google SwiftShader Device (Subzero)' }), true);
  assert.equal(isSoftwareAdapter({ adapterName: 'llvmpipe (LLVM 15.0.6, 256 bits)' }), true);
  assert.equal(isSoftwareAdapter({ adapterName: 'some adapter', fallback: true }), true);
  assert.equal(isSoftwareAdapter({ adapterName: 'NVIDIA GeForce RTX 4090' }), false);
  assert.equal(isSoftwareAdapter({}), false);
});

test('a GPU times the full tokens; a software adapter the reduced ones, and says so', async () => {
  const clock = { t: 0 };
  const gpu = fakeGpu({ clock });
  const full = await measureCost(gpu, {}, REQUESTS, { now: () => clock.t }).result;
  assert.deepEqual(gpu.calls.map((c) => c.tokens), [1280, 1280, 1280, 1280]);
  assert.ok(gpu.calls.every((c) => c.repeats === 3));
  assert.equal(full.fallback, false);
  assert.ok(full.blocks.every((b) => b.ok && b.measuredTokens === 1280));

  const soft = fakeGpu({ clock, adapterName: 'SwiftShader Device' });
  const cut = await measureCost(soft, {}, REQUESTS, { now: () => clock.t }).result;
  assert.deepEqual(soft.calls.map((c) => c.tokens), [40, 40, 40, 40]);
  assert.ok(soft.calls.every((c) => c.repeats === 1));
  assert.equal(cut.fallback, true);
  assert.match(cut.device, /software adapter/);
  assert.ok(cut.blocks.every((b) => b.ok && b.measuredTokens === 40));
});

test('the time budget stops between blocks and names itself', async () => {
  const clock = { t: 0 };
  const gpu = fakeGpu({ clock, blockSeconds: 10 });
  const progress = [];
  const run = measureCost(gpu, {}, REQUESTS, {
    budgetSeconds: 25, now: () => clock.t, onProgress: (done, total) => progress.push([done, total]),
  });
  const result = await run.result;
  // Blocks start at 0, 10 and 20 s; the fourth would start at 30 s, past the 25 s budget.
  assert.equal(gpu.calls.length, 3);
  assert.deepEqual(result.blocks.map((b) => b.ok), [true, true, true, false]);
  assert.match(result.blocks[3].message, /time budget of 25 s ran out/);
  assert.deepEqual(progress.at(-1), [4, 4]);
  // The stop is also offered inside a block (between kernels): by then it says so.
  assert.match(gpu.calls[2].shouldStop(), /time budget/);
});

test('cancel stops the blocks not yet measured', async () => {
  const clock = { t: 0 };
  let run;
  const gpu = fakeGpu({ clock, onBlock: () => run.cancel() });
  run = measureCost(gpu, {}, REQUESTS, { now: () => clock.t });
  const result = await run.result;
  assert.equal(gpu.calls.length, 1);
  assert.equal(gpu.calls[0].shouldStop(), 'cancelled');
  assert.deepEqual(result.blocks.map((b) => b.message), ['', 'cancelled', 'cancelled', 'cancelled']);
});

test('a failed kernel check reports no timings', async () => {
  const clock = { t: 0 };
  const gpu = fakeGpu({ clock, checksOk: false });
  const result = await measureCost(gpu, {}, REQUESTS, { now: () => clock.t }).result;
  assert.equal(gpu.calls.length, 0);
  assert.match(result.message, /kernel check failed/);
  assert.ok(result.blocks.every((b) => !b.ok && /off by/.test(b.message)));
});

test('no WebGPU: the reason, and no blocks', async () => {
  const result = await measureCost({ initGpu: async () => ({ ok: false, message: 'WebGPU unavailable: no adapter' }) },
                                   {}, REQUESTS).result;
  assert.match(result.message, /WebGPU unavailable/);
  assert.deepEqual(result.blocks, []);
});

test('a kernel check stopped by the budget is no verdict: blocks say why, and it runs again', async () => {
  const clock = { t: 0 };
  let checks = 0;
  const gpu = fakeGpu({ clock });
  gpu.checkKernels = async (core, { shouldStop }) => {
    checks++;
    clock.t += 20000;  // the check outlasts the 10 s budget
    return [{ kernel: 'checks', ok: false, stopped: true, message: shouldStop() }];
  };
  const first = await measureCost(gpu, {}, REQUESTS, { budgetSeconds: 10, now: () => clock.t }).result;
  assert.match(first.message, /kernel check did not finish: not measured: the time budget of 10 s ran out/);
  assert.ok(first.blocks.every((b) => !b.ok && /time budget/.test(b.message)));
  assert.equal(gpu.calls.length, 0);
  await measureCost(gpu, {}, REQUESTS, { budgetSeconds: 10, now: () => clock.t }).result;
  assert.equal(checks, 2, 'checked again');
});
