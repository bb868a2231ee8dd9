// dit_gpu.js: public API of the WebGPU DiT kernels: measure what one block costs on this GPU.
// Every function is async, never throws, and answers {ok, message, ...}; a missing WebGPU gives
// ok false and a message starting "WebGPU unavailable".
//
//   import * as ditGpu from './gpu/dit_gpu.js';
//   const gpu = await ditGpu.initGpu();            // {ok, message, adapterName, features, limits, timestampQuery, fallback}
//   const checks = await ditGpu.checkKernels(core); // [{kernel, ok, maxRelError, message}], core = Embind module
//   const r = await ditGpu.measureBlock({ tokens: 256, width: 1152, heads: 16, textTokens: 120,
//                                         crossAttention: true, repeats: 5 });
//   // r: {ok, message, timing: 'timestamp-query'|'wall-clock', kernels: [{name, ms, gflops, flops}],
//   //     blockMs, blockGflops, blockFlops, wallMs, config}
//   const b = await ditGpu.benchmark({ matmulSizes: [256, 512], attentionLengths: [256, 1024] });
//
// Timings are refused until checkKernels() has passed on this device (measure* and benchmark take
// an optional `core` and run the checks themselves when they have not run yet). Sizes the adapter
// cannot hold (storage binding size, buffer size, workgroup memory, 65535 workgroups per
// dimension) are refused with a message before anything is allocated. Calls are serialised: a
// second call waits for the first.

import { openGpu } from './device.js';
import { DUMMY, KernelLibrary, Refusal, attentionFlashStep, attentionNaiveSteps, matmulNaiveStep,
         matmulTiledStep, tuningFor } from './kernels.js';
import { PreparedPlan, checkPlan } from './plan.js';
import { blockData, planBlock } from './block.js';
import { runChecks } from './check.js';
import { randomArray } from './random.js';
import { Stopped, timePlan } from './timing.js';

export { CHECK_TOLERANCE } from './check.js';

let library = null;
let checkState = null;  // {passed, results} of the last checkKernels on this device
let queue = Promise.resolve();

// Runs fn after every earlier call has finished (GPU work never overlaps between calls).
function exclusive(fn) {
  const result = queue.then(fn, fn);
  queue = result.catch(() => {});
  return result;
}

function failure(message, extra = {}) { return { ok: false, message, ...extra }; }

function describe(error) {
  if (error instanceof Refusal) return `refused: ${error.message}`;
  if (error instanceof Stopped) return error.message;
  return `${error && error.message ? error.message : error}`;
}

// The device, or a failure object when there is none (or it was lost).
async function usableGpu() {
  const gpu = await openGpu();
  if (!gpu.ok) return { gpu: null, problem: gpu.message };
  if (gpu.lost) return { gpu: null, problem: gpu.lost };
  if (!library) library = new KernelLibrary(gpu.device);
  return { gpu, problem: null };
}

// {ok, message, adapterName, features, limits, timestampQuery}.
export async function initGpu() {
  const gpu = await openGpu();
  const { adapterName, features, limits, timestampQuery, fallback } = gpu;
  const about = { adapterName, features, limits, timestampQuery, fallback };
  if (gpu.ok && gpu.lost) return { ok: false, message: gpu.lost, ...about };
  return { ok: gpu.ok, message: gpu.message, ...about };
}

// Runs every kernel (and two blocks) against the core's double-precision reference.
// [{kernel, ok, maxRelError, message}]; also remembered to gate the timings.
// Options: shouldStop (() => '' or why to stop, between cases; a stopped check is not remembered).
export function checkKernels(core, { shouldStop = null } = {}) {
  return exclusive(() => checkUnlocked(core, shouldStop));
}

async function checkUnlocked(core, shouldStop = null) {
  const { gpu, problem } = await usableGpu();
  if (!gpu) return [{ kernel: 'webgpu', ok: false, maxRelError: NaN, message: problem }];
  if (!core || typeof core.ditReferenceMatmul !== 'function') {
    return [{ kernel: 'reference', ok: false, maxRelError: NaN,
              message: 'the core module with the ditReference* functions is not loaded' }];
  }
  let results;
  try {
    results = await runChecks(gpu, library, core, shouldStop);
  } catch (error) {
    results = [{ kernel: 'checks', ok: false, maxRelError: NaN, message: describe(error) }];
  }
  if (results.some((r) => r.stopped)) return results;  // not a verdict on the device
  checkState = { passed: results.every((r) => r.ok), results };
  return results;
}

// null when timings may be reported, else the reason.
async function timingGate(core) {
  if (!checkState && core) await checkUnlocked(core);
  if (!checkState) return 'the kernels have not been checked on this device yet: run checkKernels(core) first';
  if (!checkState.passed) {
    const failed = checkState.results.filter((r) => !r.ok).map((r) => r.kernel);
    return `no timings: the kernel check failed on this device (${failed.join('; ')})`;
  }
  return null;
}

// Allocates plan with seeded inputs, times it, releases it.
async function timeSteps(gpu, plan, inputs, { repeats = 5, warmup = 1, timing = 'auto', shouldStop = null } = {}) {
  checkPlan(plan, gpu.limits);
  const run = await PreparedPlan.create(gpu, library, plan, inputs);
  try {
    return await timePlan(gpu, run, { repeats, warmup, mode: timing, shouldStop });
  } finally {
    run.destroy();
  }
}

function randomInputs(buffers, names, seed) {
  const inputs = {};
  names.forEach((name, i) => { inputs[name] = randomArray(buffers[name], seed + i, 0.5); });
  return inputs;
}

function stepRows(plan, times) {
  return plan.steps.map((step, i) => ({
    name: step.label, ms: times.stepMs[i], flops: step.flops,
    gflops: times.stepMs[i] > 0 ? step.flops / (times.stepMs[i] * 1e6) : 0,
  }));
}

// One DiT block forward pass: {ok, message, timing, kernels, blockMs, blockGflops, blockFlops,
// wallMs, config}. Options: tokens, width, heads, textTokens, crossAttention, batch, repeats,
// warmup, timing ('auto' | 'wall-clock'), tile (32 | 64), core, shouldStop (() => '' or why to
// stop; checked between kernels, see timing.js).
export function measureBlock(options = {}) {
  return exclusive(async () => {
    try {
      const { gpu, problem } = await usableGpu();
      if (!gpu) return failure(problem);
      const plan = planBlock(options, gpu.limits, tuningFor(gpu));  // refuses before the gate
      checkPlan(plan, gpu.limits);
      const gate = await timingGate(options.core);
      if (gate) return failure(gate);
      const times = await timeSteps(gpu, plan, blockData(plan.config, 7), options);
      const kernels = stepRows(plan, times);
      const blockFlops = kernels.reduce((sum, k) => sum + k.flops, 0);
      return {
        ok: true, message: '', timing: times.timing, kernels, blockMs: times.totalMs,
        blockGflops: blockFlops / (times.totalMs * 1e6), blockFlops, wallMs: times.wallMs,
        config: plan.config,
      };
    } catch (error) {
      return failure(describe(error));
    }
  });
}

function matmulPlan(limits, tuning, { m, n, k, kernel = 'tiled', epilogue = 'none', tile = 32,
                                      tileK = 32, workgroups = tuning.matmulWorkgroups }) {
  const buffers = { a: m * k, b: k * n, c: m * n };
  if (kernel === 'naive') {
    const step = matmulNaiveStep(limits, { label: `matmul naive ${m}x${k}x${n}`, a: 'a', b: 'b', out: 'c', m, n, k });
    return { buffers, steps: [step] };
  }
  if (kernel !== 'tiled') throw new Refusal(`unknown matmul kernel '${kernel}' (tiled or naive)`);
  // Only the operands the epilogue reads get a buffer; the others bind the placeholder.
  const uses = (name) => (
    { bias: epilogue !== 'none', residual: epilogue.includes('residual'),
      modulation: epilogue === 'bias_gated_residual' }[name]);
  if (uses('bias')) buffers.bias = n;
  if (uses('residual')) buffers.residual = m * n;
  if (uses('modulation')) buffers.modulation = n;
  const step = matmulTiledStep(limits, {
    label: `matmul tiled ${tile} ${m}x${k}x${n}`, a: 'a', b: 'b', out: 'c',
    bias: uses('bias') ? 'bias' : DUMMY, residual: uses('residual') ? 'residual' : DUMMY,
    modulation: uses('modulation') ? 'modulation' : DUMMY, m, n, k, epilogue, tile, tileK, workgroups,
    gateStride: n,
  });
  return { buffers, steps: [step] };
}

function attentionPlan(limits, { queries, keys = queries, heads = 1, headDim = 64, samples = 1,
                                 kernel = 'flash' }) {
  const width = heads * headDim;
  const buffers = {
    q: samples * queries * width, k: samples * keys * width, v: samples * keys * width,
    out: samples * queries * width,
  };
  const args = { q: 'q', k: 'k', v: 'v', out: 'out', queries, keys, heads, width, samples };
  if (kernel === 'naive') {
    buffers.scores = samples * heads * queries * keys;
    return { buffers, steps: attentionNaiveSteps(limits, { ...args, label: 'attention naive', scores: 'scores' }) };
  }
  if (kernel !== 'flash') throw new Refusal(`unknown attention kernel '${kernel}' (flash or naive)`);
  return { buffers, steps: [attentionFlashStep(limits, { ...args, label: 'attention flash' })] };
}

// Shared body of measureMatmul / measureAttention: one plan, summed over its steps.
async function measurePlan(options, makePlan, inputNames) {
  try {
    const { gpu, problem } = await usableGpu();
    if (!gpu) return failure(problem);
    const plan = makePlan(gpu);
    checkPlan(plan, gpu.limits);
    const gate = await timingGate(options.core);
    if (gate) return failure(gate);
    const times = await timeSteps(gpu, plan, randomInputs(plan.buffers, inputNames, 3), options);
    const flops = plan.steps.reduce((sum, s) => sum + s.flops, 0);
    return {
      ok: true, message: '', timing: times.timing, ms: times.totalMs, flops,
      gflops: flops / (times.totalMs * 1e6), kernels: stepRows(plan, times),
    };
  } catch (error) {
    return failure(describe(error));
  }
}

// One matmul: {ok, message, timing, ms, gflops, flops, kernels}. Options: m, n, k,
// kernel ('tiled' | 'naive'), epilogue, tile (16 | 32 | 64), tileK, workgroups (0: one per tile;
// default: the adapter's tuning, see kernels.js tuningFor), repeats, timing, core.
export function measureMatmul(options = {}) {
  return exclusive(() => measurePlan(options, (gpu) => matmulPlan(gpu.limits, tuningFor(gpu), options),
                                     ['a', 'b']));
}

// One attention: {ok, message, timing, ms, gflops, flops, kernels}. Options: queries, keys,
// heads, headDim, samples, kernel ('flash' | 'naive'), repeats, timing, core.
export function measureAttention(options = {}) {
  return exclusive(() => measurePlan(options, (gpu) => attentionPlan(gpu.limits, options), ['q', 'k', 'v']));
}

// Tiled vs naive matmul (square sizes) and flash vs naive attention (self-attention of
// `attentionLengths` tokens, `heads` x `headDim`). Each pair is measured `rounds` times,
// alternating fast and naive so both see the same load, and each kernel's figure is its fastest
// round: other work on the machine (a CPU adapter shares the cores) only ever adds time, so the
// minimum is the estimate least moved by it. {ok, message, timing, rows: [{kernel, size, ok, ms, gflops, flops, message}],
// ratios: [{what, size, ratio}]}; ratio = GFLOP/s(fast) / GFLOP/s(naive), null where either was
// refused.
export async function benchmark({
  matmulSizes = [256, 512, 1024], attentionLengths = [256, 1024], heads = 4, headDim = 64,
  repeats = 1, rounds = 3, timing = 'auto', core,
} = {}) {
  // A tiny run first: it runs the kernel checks when needed and stops here if they failed.
  const first = await measureMatmul({ m: 16, n: 16, k: 16, repeats: 1, core });
  if (!first.ok) return failure(first.message, { rows: [], ratios: [], timing: null });
  const pairs = [];
  for (const size of matmulSizes) {
    const shape = { m: size, n: size, k: size, repeats, timing };
    pairs.push({ what: 'matmul tiled / naive', size, fast: ['matmul tiled', () => measureMatmul(shape)],
                 slow: ['matmul naive', () => measureMatmul({ ...shape, kernel: 'naive' })] });
  }
  for (const length of attentionLengths) {
    const shape = { queries: length, keys: length, heads, headDim, repeats, timing };
    pairs.push({ what: 'attention flash / naive', size: length,
                 fast: ['attention flash', () => measureAttention(shape)],
                 slow: ['attention naive', () => measureAttention({ ...shape, kernel: 'naive' })] });
  }
  const rows = [];
  const ratios = [];
  let timingUsed = null;
  const summarise = (kernel, size, results) => {
    const good = results.filter((r) => r.ok);
    if (good.length < results.length) {
      const bad = results.find((r) => !r.ok);
      rows.push({ kernel, size, ok: false, ms: null, gflops: null, flops: null, message: bad.message });
      return null;
    }
    timingUsed = good[0].timing;
    const ms = Math.min(...good.map((r) => r.ms));
    const row = { kernel, size, ok: true, ms, gflops: good[0].flops / (ms * 1e6), flops: good[0].flops, message: '' };
    rows.push(row);
    return row;
  };
  for (const pair of pairs) {
    const fast = [];
    const slow = [];
    for (let r = 0; r < Math.max(1, rounds); r++) {
      fast.push(await pair.fast[1]());
      if (!fast[fast.length - 1].ok) break;  // refused: no point repeating
      slow.push(await pair.slow[1]());
      if (!slow[slow.length - 1].ok) break;
    }
    const a = summarise(pair.fast[0], pair.size, fast);
    let b = null;
    if (slow.length) {
      b = summarise(pair.slow[0], pair.size, slow);
    } else {
      rows.push({ kernel: pair.slow[0], size: pair.size, ok: false, ms: null, gflops: null, flops: null,
                  message: `not run: ${pair.fast[0]} was refused` });
    }
    ratios.push({ what: pair.what, size: pair.size, ratio: a && b ? a.gflops / b.gflops : null });
  }
  return { ok: true, message: '', timing: timingUsed, rows, ratios };
}
