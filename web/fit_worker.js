// fit_worker.js: runs bootstrap fits off the main thread in its own instance of the core module
// (scalecalc_core.js); one of a pool (web/bootstrap_pool.js), each computing a share of the
// resamples. Messages in: {type: 'job', generation, bytes, first, last, refit} (an encoded state,
// as in share links; resamples [first, last); refit 'warm' or 'legacy') and {type: 'cancel',
// generation} for a job that has not started. Messages out: {type: 'ready'} once the module is
// loaded, {type: 'started' | 'progress' | 'result', generation, ...}. Only the newest waiting job
// runs; a job that has started is cancelled by terminating the worker (the page does that).
importScripts('scalecalc_core.js');

const corePromise = createScalecalcCore();
corePromise.then(() => self.postMessage({ type: 'ready' }));
let waiting = null;  // the newest job not yet started
let running = false;

function runJob(core, { generation, bytes, first = 0, last = -1, refit = 'warm' }) {
  self.postMessage({ type: 'started', generation });
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
    result = core.bootstrapFromState(bytes, first, last, refit, progress);
  } catch (error) {
    result = { ok: false, message: `bootstrap failed: ${error.message || error}` };
  }
  const samples = result.samples || new Float64Array(0);
  self.postMessage({ type: 'result', generation, ok: result.ok, message: result.message, samples },
                   [samples.buffer]);
}

async function drain() {
  if (running) return;
  running = true;
  const core = await corePromise;
  while (waiting) {
    const job = waiting;
    waiting = null;
    runJob(core, job);
    await new Promise((resolve) => setTimeout(resolve, 0));  // let newer messages arrive
  }
  running = false;
}

self.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'cancel') {
    if (waiting && waiting.generation === message.generation) waiting = null;
    return;
  }
  waiting = message;
  drain();
};
