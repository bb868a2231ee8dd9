// cost_measure.js: the Inference cost panel's measurement, bounded. Times one DiT block per
// requested model on this device, within a time budget, with progress and cancel. On a software
// adapter (SwiftShader, llvmpipe: a CPU behind the WebGPU API) each block is timed at the reduced
// token count the app sent with it (`fallbackTokens`, chosen by the core's FLOP count) and the app
// scales the time back up by the FLOP ratio; the result says which tokens were measured.
//
//   const run = measureCost(ditGpu, core, requests, { budgetSeconds: 30, onProgress });
//   run.cancel();                       // stops between kernels
//   const result = await run.result;    // {device, timing, message, fallback, blocks, kernels}
//
// `ditGpu` is web/gpu/dit_gpu.js (passed in, so node tests can drive this with a fake device).
// Never throws: refusals and stops are per-block messages.

// Adapter descriptions of software implementations (when adapter.info.isFallbackAdapter is absent).
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|warp|basic render|software/i;

export function isSoftwareAdapter(gpu) {
  return Boolean(gpu.fallback) || SOFTWARE_ADAPTER.test(gpu.adapterName || '');
}

let checked = null;  // the kernel check runs once per page

export function measureCost(ditGpu, core, requests, { budgetSeconds = 30, onProgress = () => {},
                                                       now = () => performance.now() } = {}) {
  let cancelled = false;
  const deadline = now() + budgetSeconds * 1000;
  const stopReason = () => {
    if (cancelled) return 'cancelled';
    if (now() > deadline) return `not measured: the time budget of ${budgetSeconds} s ran out`;
    return '';
  };
  const result = (async () => {
    const gpu = await ditGpu.initGpu();
    if (!gpu.ok) return { device: gpu.message, message: gpu.message, fallback: false, blocks: [] };
    const fallback = isSoftwareAdapter(gpu);
    onProgress(0, requests.length, 'checking the kernels against the CPU reference');
    // The check counts against the budget too (minutes on a loaded software adapter).
    if (!checked) checked = ditGpu.checkKernels(core, { shouldStop: stopReason });
    const checks = await checked;
    const stopped = checks.find((check) => check.stopped);
    if (stopped) {
      checked = null;  // not finished: check again next time
      return { device: gpu.adapterName, fallback, message: `the kernel check did not finish: ${stopped.message}`,
               blocks: requests.map((r) => ({ label: r.label, ok: false, message: stopped.message })) };
    }
    const failed = checks.filter((check) => !check.ok);
    if (failed.length > 0) {
      checked = null;  // a lost device may come back: check again next time
      const why = failed.map((check) => `${check.kernel}: ${check.message}`).join('; ');
      return { device: gpu.adapterName, fallback, message: `kernel check failed, no timings reported (${why})`,
               blocks: requests.map((r) => ({ label: r.label, ok: false, message: why })) };
    }
    const blocks = [];
    let last = null;
    for (const [i, request] of requests.entries()) {
      const stop = stopReason();
      if (stop) {
        blocks.push({ label: request.label, ok: false, message: stop });
        continue;
      }
      onProgress(i, requests.length, request.label);
      const tokens = fallback ? Math.min(request.tokens, request.fallbackTokens || request.tokens)
                              : request.tokens;
      // A software adapter: one timed run, no warm-up (its timings barely vary between runs, and
      // the timestamps leave out pipeline creation).
      const measured = await ditGpu.measureBlock({
        ...request, tokens, repeats: fallback ? 1 : 3, warmup: fallback ? 0 : 1, shouldStop: stopReason,
      });
      blocks.push({ label: request.label, ok: measured.ok, message: measured.message || '',
                    blockMs: measured.blockMs || 0, blockGflops: measured.blockGflops || 0,
                    measuredTokens: tokens });
      if (measured.ok) last = measured;
    }
    onProgress(requests.length, requests.length, '');
    const refused = blocks.filter((b) => !b.ok).map((b) => `${b.label}: ${b.message}`).join('; ');
    const device = `${gpu.adapterName}${fallback ? ' (a software adapter: timed at fewer tokens)' : ''}, ` +
                   `timed by ${last ? last.timing : 'nothing'}`;
    return { device, timing: last?.timing || '', fallback, message: refused, blocks,
             kernels: last?.kernels || [] };
  })().catch((error) => ({ device: 'WebGPU measurement failed', message: `${error.message || error}`,
                            fallback: false, blocks: [] }));
  return { result, cancel() { cancelled = true; } };
}

// For tests: forget that the kernels were checked.
export function resetCheckForTests() { checked = null; }
