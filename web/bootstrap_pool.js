// bootstrap_pool.js: the bootstrap on a pool of fitting workers (web/fit_worker.js), each computing
// a contiguous share of the resamples. Resample k draws from a generator seeded by (seed, k), so
// the shares' samples concatenated in order are the whole bootstrap's, whatever the pool size.
// Progress is summed over the pool; cancelling terminates every worker that is computing; a
// worker that fails (to load, or while computing) ends the job with its kind of failure, which the
// app words, and the app keeps its point fit. Workers are kept between jobs.
//
//   const pool = createBootstrapPool({ onProgress(generation, done, total), onResult(generation,
//                                      ok, message, samples, group, failure) });
// `failure`: '' (the fit answered; `message` is its error when not ok), 'download' (a worker's
// script could not be fetched) or 'error' (a worker stopped on an error).
//   pool.start(generation, bytes, total, group = -1);   pool.cancel();
// `group` picks the table (-1 the whole one, else a group of the state's group column): a job is
// (generation, group), and a message of another job is dropped.
//   pool.setSize(n) (test hook), pool.size(), pool.liveWorkers(), pool.busyWorkers(),
//   pool.loadingWorkers(), pool.lastSamples()

export const MAX_POOL = 8;

// navigator.hardwareConcurrency - 1 (the page's own thread keeps a core), at least 1, at most 8.
export function defaultPoolSize() {
  const cores = Number(navigator.hardwareConcurrency) || 2;
  return Math.max(1, Math.min(MAX_POOL, cores - 1));
}

export function createBootstrapPool({ onProgress, onResult, workerUrl = 'fit_worker.js' }) {
  let size = defaultPoolSize();
  let refit = 'warm';  // 'legacy': the refit before warm starts (bench/bootstrap_page_bench.mjs)
  let url = workerUrl;
  const workers = [];  // {worker, busy, ready}
  let job = null;      // {generation, group, shares: [{first, last, done, samples}], left}
  let last = new Float64Array(0);

  function spawn() {
    const entry = { worker: new Worker(url), busy: false, ready: false };
    entry.worker.onmessage = (event) => onMessage(entry, event.data);
    entry.worker.onerror = (event) => {
      event.preventDefault();
      // The browser's text is for whoever debugs the site; the app tells the user what to do.
      if (event.message) console.warn('fitting worker:', event.message);
      fail('', event.message ? 'error' : 'download');
    };
    workers.push(entry);
    return entry;
  }

  function terminateAll() {
    for (const entry of workers.splice(0)) entry.worker.terminate();
  }

  function fail(message, failure = '') {
    const failed = job;
    job = null;
    terminateAll();  // the others' shares are useless without this one
    if (failed) onResult(failed.generation, false, message, new Float64Array(0), failed.group, failure);
  }

  function onMessage(entry, message) {
    if (message.type === 'ready') {
      entry.ready = true;
      return;
    }
    if (!job || message.generation !== job.generation || (message.group ?? -1) !== job.group) return;
    const share = job.shares[entry.share];
    if (message.type === 'progress') {
      share.done = message.done;
      const done = job.shares.reduce((sum, s) => sum + s.done, 0);
      onProgress(job.generation, done, job.total);
    } else if (message.type === 'result') {
      entry.busy = false;
      if (!message.ok) {
        fail(message.message || 'the bootstrap failed');
        return;
      }
      share.samples = message.samples;
      share.done = share.last - share.first;
      if (--job.left > 0) return;
      // Every share back: concatenate in resample order.
      const length = job.shares.reduce((sum, s) => sum + s.samples.length, 0);
      const samples = new Float64Array(length);
      let at = 0;
      for (const s of job.shares) {
        samples.set(s.samples, at);
        at += s.samples.length;
      }
      const { generation, group } = job;
      job = null;
      last = samples.slice();
      onResult(generation, true, '', samples, group, '');
    }
  }

  return {
    size: () => size,
    setSize(n) {
      const value = Math.floor(Number(n));
      if (!(value >= 1 && value <= MAX_POOL)) return `pool size must be 1 to ${MAX_POOL}`;
      size = value;
      while (workers.length > size) workers.pop().worker.terminate();
      return '';
    },
    setRefit(name) { refit = name; },
    setWorkerUrl(value) {  // test hook: a worker that cannot load
      url = value;
      terminateAll();
    },
    liveWorkers: () => workers.length,
    busyWorkers: () => workers.filter((entry) => entry.busy).length,
    loadingWorkers: () => workers.filter((entry) => !entry.ready).length,
    lastSamples: () => last,
    start(generation, bytes, total, group = -1) {
      if (job) this.cancel();
      const count = Math.max(1, Math.min(size, total));
      while (workers.length < count) spawn();
      const shares = [];
      for (let i = 0; i < count; ++i) {
        // Contiguous shares, as the core's threads split them.
        shares.push({ first: Math.floor((total * i) / count), last: Math.floor((total * (i + 1)) / count),
                      done: 0, samples: null });
      }
      job = { generation, group, total, shares, left: count };
      shares.forEach((share, i) => {
        const entry = workers[i];
        entry.busy = true;
        entry.share = i;
        const copy = bytes.slice();  // each worker gets its own transferable buffer
        entry.worker.postMessage({ type: 'job', generation, group, bytes: copy, first: share.first,
                                   last: share.last, refit }, [copy.buffer]);
      });
    },
    cancel() {
      if (!job) return;
      const { generation } = job;
      job = null;
      for (let i = workers.length - 1; i >= 0; --i) {
        const entry = workers[i];
        if (!entry.busy) continue;
        entry.busy = false;
        if (entry.ready) {
          // Computing: only terminating it stops it.
          entry.worker.terminate();
          workers.splice(i, 1);
        } else {
          // Still loading its module, so its job has not started: it drops the job and is kept.
          // Terminating it would abort its script request, which Chromium may be sharing with
          // the next worker's (that worker then fails to load).
          entry.worker.postMessage({ type: 'cancel', generation });
        }
      }
    },
  };
}
