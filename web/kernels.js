// kernels.js: the kernel lab page (kernels.html). Shows the WebGPU adapter, runs every kernel
// check against the core's CPU reference, measures one DiT block and runs the tiled-vs-naive
// benchmark. All text goes in through textContent. window.kernelLab exposes the same calls for
// tests and the benchmark script (bench/webgpu_bench.mjs):
//
//   await kernelLab.whenReady;          // {ok, message, adapterName, ...} of initGpu()
//   await kernelLab.checkKernels();     // and the other dit_gpu.js calls, with the core passed in

import * as ditGpu from './gpu/dit_gpu.js';

const $ = (id) => document.getElementById(id);

function setStatus(text, kind) {
  const box = $('gpu-status');
  box.textContent = text;
  box.classList.toggle('error', kind === 'error');
  box.classList.toggle('ok', kind === 'ok');
}

function fillTable(id, rows) {
  const body = $(id).querySelector('tbody');
  body.replaceChildren();
  for (const cells of rows) {
    const tr = document.createElement('tr');
    for (const cell of cells) {
      const td = document.createElement('td');
      const { text, cls } = typeof cell === 'object' && cell !== null ? cell : { text: cell };
      td.textContent = text === null || text === undefined ? '–' : String(text);
      if (cls) td.className = cls;
      tr.append(td);
    }
    body.append(tr);
  }
}

const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

function renderChecks(results) {
  fillTable('checks-table', results.map((r) => [
    r.kernel,
    Number.isFinite(r.maxRelError) ? r.maxRelError.toExponential(2) : '–',
    { text: r.ok ? 'pass' : `FAIL ${r.message}`, cls: r.ok ? 'pass' : 'fail' },
  ]));
  const failed = results.filter((r) => !r.ok).length;
  $('checks-summary').textContent = failed ?
    `${failed} of ${results.length} checks failed: timings are withheld.` :
    `all ${results.length} checks pass (max relative error <= ${ditGpu.CHECK_TOLERANCE}).`;
}

function renderBlock(result) {
  if (!result.ok) {
    $('block-summary').textContent = result.message;
    fillTable('block-table', []);
    return;
  }
  $('block-summary').textContent =
    `${fixed(result.blockMs, 3)} ms per block, ${fixed(result.blockGflops, 2)} GFLOP/s ` +
    `(${fixed(result.blockFlops / 1e9, 3)} GFLOP, timing: ${result.timing}).`;
  fillTable('block-table', result.kernels.map((k) => [
    k.name, fixed(k.ms, 3), fixed(k.flops / 1e9, 4), fixed(k.gflops, 2),
  ]));
}

function renderBenchmark(result) {
  $('bench-summary').textContent = result.ok ? `timing: ${result.timing}` : result.message;
  fillTable('bench-table', (result.rows || []).map((r) => [
    r.kernel, r.size, fixed(r.ms, 2), fixed(r.gflops, 3), r.ok ? '' : r.message,
  ]));
  fillTable('ratio-table', (result.ratios || []).map((r) => [
    r.what, r.size, r.ratio === null ? '–' : `${r.ratio.toFixed(2)}x`,
  ]));
}

function numbers(text) {
  return text.split(/[\s,]+/).filter((t) => t).map(Number).filter((v) => Number.isInteger(v) && v > 0);
}

const lab = {
  ready: false,
  gpu: null,
  core: null,
  async checkKernels() {
    const results = await ditGpu.checkKernels(lab.core);
    renderChecks(results);
    return results;
  },
  async measureBlock(options) {
    const result = await ditGpu.measureBlock({ ...options, core: lab.core });
    renderBlock(result);
    return result;
  },
  async benchmark(options) {
    const result = await ditGpu.benchmark({ ...options, core: lab.core });
    renderBenchmark(result);
    return result;
  },
  measureMatmul: (options) => ditGpu.measureMatmul({ ...options, core: lab.core }),
  measureAttention: (options) => ditGpu.measureAttention({ ...options, core: lab.core }),
  initGpu: () => ditGpu.initGpu(),
};
window.kernelLab = lab;

async function busy(button, work) {
  button.disabled = true;
  try {
    await work();
  } finally {
    button.disabled = false;
  }
}

async function start() {
  const gpu = await ditGpu.initGpu();
  lab.gpu = gpu;
  if (!gpu.ok) {
    setStatus(gpu.message, 'error');
    $('adapter').textContent = 'none';
    return gpu;
  }
  $('adapter').textContent = gpu.adapterName;
  $('timing-mode').textContent = gpu.timestampQuery ?
    'timestamp-query (GPU timestamps per kernel)' : 'wall clock (no timestamp-query on this adapter)';
  const l = gpu.limits;
  $('limits').textContent =
    `storage binding ${(l.maxStorageBufferBindingSize / 1024 ** 2).toFixed(0)} MiB, ` +
    `buffer ${(l.maxBufferSize / 1024 ** 2).toFixed(0)} MiB, ` +
    `workgroup memory ${(l.maxComputeWorkgroupStorageSize / 1024).toFixed(0)} KiB, ` +
    `${l.maxComputeWorkgroupsPerDimension} workgroups per dimension`;
  if (typeof createScalecalcCore !== 'function') {
    setStatus('The CPU reference (scalecalc_core.js) did not load: kernels cannot be checked.', 'error');
    return gpu;
  }
  try {
    lab.core = await createScalecalcCore();
  } catch (error) {
    setStatus(`The CPU reference could not start: ${error.message || error}`, 'error');
    return gpu;
  }
  setStatus(`WebGPU ready on ${gpu.adapterName}.`, 'ok');
  for (const id of ['run-checks', 'run-block', 'run-bench']) $(id).disabled = false;
  $('run-checks').addEventListener('click', () => busy($('run-checks'), () => lab.checkKernels()));
  $('block-form').addEventListener('submit', (event) => {
    event.preventDefault();
    busy($('run-block'), () => lab.measureBlock({
      tokens: Number($('block-tokens').value), width: Number($('block-width').value),
      heads: Number($('block-heads').value), textTokens: Number($('block-text').value),
      crossAttention: $('block-cross').checked, repeats: Number($('block-repeats').value),
    }));
  });
  $('bench-form').addEventListener('submit', (event) => {
    event.preventDefault();
    busy($('run-bench'), () => lab.benchmark({
      matmulSizes: numbers($('bench-sizes').value), attentionLengths: numbers($('bench-lengths').value),
      repeats: Number($('bench-repeats').value),
    }));
  });
  return gpu;
}

lab.whenReady = start().catch((error) => {
  setStatus(`The kernel lab could not start: ${error.message || error}`, 'error');
  return { ok: false, message: `${error.message || error}` };
}).finally(() => { lab.ready = true; });
