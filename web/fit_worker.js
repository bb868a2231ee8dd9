// fit_worker.js: runs bootstrap fits off the main thread in its own instance of the core module
// (scalecalc_core.js). Message in: {generation, bytes} (an encoded state, as in share links).
// Messages out: {type: 'progress', generation, done, total} and
// {type: 'result', generation, ok, message, samples}. Cancelling = the page terminates the worker.
importScripts('scalecalc_core.js');

const corePromise = createScalecalcCore();

self.onmessage = async (event) => {
  const { generation, bytes } = event.data;
  const core = await corePromise;
  let lastPost = 0;
  const progress = (done, total) => {
    const now = performance.now();
    if (done === total || now - lastPost > 50) {  // at most ~20 progress messages a second
      lastPost = now;
      self.postMessage({ type: 'progress', generation, done, total });
    }
  };
  let result;
  try {
    result = core.bootstrapFromState(bytes, progress);
  } catch (error) {
    result = { ok: false, message: `bootstrap failed: ${error.message || error}` };
  }
  const samples = result.samples || new Float64Array(0);
  self.postMessage({ type: 'result', generation, ok: result.ok, message: result.message, samples },
                   [samples.buffer]);
};
