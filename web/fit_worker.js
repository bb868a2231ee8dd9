// fit_worker.js: runs bootstrap fits off the main thread in its own instance of the core module
// (scalecalc_core.js); one of a pool (web/bootstrap_pool.js), each computing a share of the
// resamples. Messages in: {type: 'job', generation, group, bytes, first, last, refit} (an encoded
// state, as in share links; group -1 for its whole table, else the 0-based group of its group
// column; resamples [first, last); refit 'warm' or 'legacy') and {type: 'cancel',
// generation} for a job that has not started. Messages out: {type: 'ready'} once the module is
// loaded, {type: 'started' | 'progress' | 'result', generation, group, ...}. Only the newest waiting job
// runs; a job that has started is cancelled by terminating the worker (the page does that).
// A request aborted by another worker's termination can fail this load: try once more.
try {
  importScripts('scalecalc_core.js');
} catch (error) {
  importScripts('scalecalc_core.js');
}

const corePromise = createScalecalcCore();
corePromise.then(() => self.postMessage({ type: 'ready' }));
let waiting = null;  // the newest job not yet started
let running = false;

function runJob(core, { generation, group = -1, bytes, first = 0, last = -1, refit = 'warm' }) {
  self.postMessage({ type: 'started', generation, group });
  let lastPost = 0;
  const progress = (done, total) => {
    const now = performance.now();
    if (done === total || now - lastPost > 50) {  // at most ~20 progress messages a second
      lastPost = now;
      self.postMessage({ type: 'progress', generation, group, done, total });
    }
  };
  let result;
  try {
    result = core.bootstrapFromState(bytes, first, last, refit, progress, group);
  } catch (error) {
    result = { ok: false, message: `bootstrap failed: ${error.message || error}` };
  }
  const samples = result.samples || new Float64Array(0);
  self.postMessage({ type: 'result', generation, group, ok: result.ok, message: result.message,
                     samples },
                   [samples.buffer]);
}

// {type: 'design', generation, bytes}: the sweep designer's simulation (its own worker, started
// per design by the page): {type: 'design-progress', generation, done, total} (refits), then
// {type: 'design-result', generation, ok, message, json}.
function runDesign(core, { generation, bytes }) {
  let lastPost = 0;
  const progress = (done, total) => {
    const now = performance.now();
    if (now - lastPost > 100) {
      lastPost = now;
      self.postMessage({ type: 'design-progress', generation, done, total });
    }
  };
  let result;
  try {
    result = core.designFromState(bytes, progress);
  } catch (error) {
    result = { ok: false, message: `design failed: ${error.message || error}`, json: '' };
  }
  self.postMessage({ type: 'design-result', generation, ok: result.ok, message: result.message,
                     json: result.json || '' });
}

async function drain() {
  if (running) return;
  running = true;
  const core = await corePromise;
  while (waiting) {
    const job = waiting;
    waiting = null;
    if (job.type === 'design') runDesign(core, job);
    else runJob(core, job);
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
