// main.js: the page's JavaScript. Only what a browser alone can do: start the wasm app, feed it
// pasted, dropped and picked files, keep the share link in the URL fragment, run the fitting
// worker, and report what is missing. Every number comes from the wasm core.
import { decodeFragment, encodeFragment, fragmentFromUrl, fragmentOpens, LINK_LONG, urlWithFragment }
  from './share.js';
import { createBootstrapPool } from './bootstrap_pool.js';
import { installTouch } from './touch.js';

const MAX_FILE_BYTES = 64 * 1024 * 1024;  // the core's reader refuses more anyway

const statusBox = document.getElementById('status');
const statusText = document.getElementById('status-text');
// The spinner turns only for a load that takes a while (style.css says why).
const SLOW_LOAD_MS = 1000;
const slowLoadTimer = setTimeout(() => statusBox.classList.add('slow'), SLOW_LOAD_MS);
const fileInput = document.getElementById('file-input');
// Read before the app starts: its first frames write the fragment of their own state.
const initialFragment = fragmentFromUrl(window.location.href);

// --- Start-up: everything the first frame needs is requested at once -------------------------
// The wasm (preloaded by index.html) compiles while it downloads, and the example downloads
// beside it, instead of one after the other once the runtime is up.
function startEarlyFetches() {
  const compileApp = async () => {
    const response = quietly(fetch('scalecalc_app.wasm', { credentials: 'same-origin' }));
    if (WebAssembly.compileStreaming) {
      try {
        const module = await WebAssembly.compileStreaming(response);
        performance.mark('scalecalc:wasm-compiled');
        return { module, streaming: true };
      } catch {
        // A host that serves .wasm with another MIME type: compile from the bytes instead.
      }
    }
    const bytes = await (await fetch('scalecalc_app.wasm', { credentials: 'same-origin' })).arrayBuffer();
    const module = await WebAssembly.compile(bytes);
    performance.mark('scalecalc:wasm-compiled');
    return { module, streaming: false };
  };
  return {
    wasm: typeof WebAssembly === 'object' ? quietly(compileApp()) : null,
    // A link carries its own data: only a plain visit needs the example.
    example: initialFragment ? null : quietly(fetchText('assets/example_sweep.csv')),
  };
}
// A promise awaited later: a failure is reported where it is awaited, not as an unhandled one.
function quietly(promise) {
  promise.catch(() => {});
  return promise;
}
const startupInfo = { wasmStreaming: null };  // how the wasm was compiled, for tests
const early = startEarlyFetches();

// Emscripten's hook for bringing its own module: instantiate the one compiled above.
function instantiateEarlyWasm(imports, receiveInstance) {
  early.wasm.then(async ({ module, streaming }) => {
    startupInfo.wasmStreaming = streaming;
    receiveInstance(await WebAssembly.instantiate(module, imports), module);
  }).catch((error) => showStatus(`scalecalc could not start: ${error.message || error}`, true));
  return {};  // the exports arrive through receiveInstance
}

function showStatus(message, isError = false) {
  statusText.textContent = message;  // textContent: nothing is ever injected as HTML
  statusBox.classList.toggle('error', isError);
  // An error interrupts a screen reader at once; progress waits its turn.
  statusBox.setAttribute('role', isError ? 'alert' : 'status');
  statusBox.setAttribute('aria-live', isError ? 'assertive' : 'polite');
  statusBox.classList.remove('hidden');
}

function hideStatus() {
  clearTimeout(slowLoadTimer);
  statusBox.classList.add('hidden');
}

// The attributes the app's GLFW window asks for (src/app/main.cpp's hints): the UI draws opaque
// and needs no depth or stencil buffer (on a phone at 3x, 12 MB less), no multisampling. A canvas
// hands back the context it already has, so the one created here is the app's.
const GL_CONTEXT_ATTRIBUTES = { antialias: false, alpha: false, depth: false, stencil: false };

// The smallest module with a try / catch_all block: the module is built with WebAssembly's own
// exceptions (-fwasm-exceptions), which older browsers cannot compile.
const WASM_WITH_EXCEPTIONS = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // magic, version
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00,              // types: () -> ()
  0x03, 0x02, 0x01, 0x00,                          // one function of that type
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x06, 0x40, 0x19, 0x0b, 0x0b,  // body: try catch_all end
]);

// What this browser lacks, or null when it can run the app. The WebGL2 check creates the app's
// own context, on its canvas: on a software rasteriser that takes hundreds of milliseconds, which
// now overlap the wasm's compile instead of following it (and no second, throw-away context).
function missingFeature() {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
    return 'This browser cannot run WebAssembly, which scalecalc needs. Please use a current ' +
           'version of Chrome, Edge, Firefox or Safari.';
  }
  if (!WebAssembly.validate(WASM_WITH_EXCEPTIONS)) {
    return 'This browser\'s WebAssembly lacks exception handling, which scalecalc needs. Please ' +
           'update it (Chrome or Edge 95, Firefox 100, Safari 15.2 or later).';
  }
  // The backing store at its final size first (the app's CanvasSizePx): resizing a canvas with a
  // live context reallocates its drawing buffer.
  const box = app.canvas.getBoundingClientRect();
  const ratio = window.devicePixelRatio || 1;
  app.canvas.width = Math.round(box.width * ratio) || app.canvas.width;
  app.canvas.height = Math.round(box.height * ratio) || app.canvas.height;
  if (!app.canvas.getContext('webgl2', GL_CONTEXT_ATTRIBUTES)) {
    return 'This browser or device does not offer WebGL2, which scalecalc uses to draw. Enable ' +
           'hardware acceleration in the browser settings, or try another browser.';
  }
  return null;
}

async function fetchText(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

// The app module; its Embind functions appear on this object once the runtime is ready.
const app = {
  canvas: document.getElementById('canvas'),
  reportFatal: (message) => showStatus(message, true),
  print: (text) => console.log(text),
  printErr: (text) => console.warn(text),
};

// --- The designer's simulation: a worker of its own per design (web/fit_worker.js) -------------
let designWorker = null;

// --- Bootstrap workers (web/bootstrap_pool.js) ------------------------------------------------
const bootstrapPool = createBootstrapPool({
  onProgress: (generation, done, total) => app.onBootstrapProgress(generation, done, total),
  onResult: (generation, ok, message, samples, group, failure) =>
    app.onBootstrapResult(generation, group, ok, message, failure, samples),
});

// --- Share links --------------------------------------------------------------------------------
let shareTimer = null;
let pendingShare = null;
// Levels of app.shareNotice (NoticeLevel in src/app/model.h).
const DONE = 0;
const CAUTION = 1;
const PROBLEM = 2;
async function shareNow() {
  const { bytes, copy, serial } = pendingShare;
  pendingShare = null;
  if (bytes.length === 0) {  // data too large to follow in the address bar (share.cpp): no link
    history.replaceState(null, '', urlWithFragment(window.location.href, ''));
    return;
  }
  const fragment = await encodeFragment(bytes);
  const opens = fragmentOpens(fragment);
  const url = urlWithFragment(window.location.href, opens ? fragment : '');
  // replaceState: the address bar follows the state without flooding the history (and holds no
  // link that could not open).
  history.replaceState(null, '', url);
  if (!copy) return;
  const notice = (text, level, offerFile = false) => app.shareNotice(text, level, offerFile, serial);
  if (!opens) {
    notice(`This analysis is too large for a link (${fragment.length.toLocaleString('en')} ` +
           'characters; links open up to 1,048,576): save the state file instead.', PROBLEM, true);
    return;
  }
  try {
    await navigator.clipboard.writeText(url);
  } catch {
    notice('The browser did not allow copying; the link is in the address bar.', PROBLEM);
    return;
  }
  const length = url.length.toLocaleString('en');
  if (url.length > LINK_LONG) {
    notice(`Link copied (${length} characters). Some chat tools cut messages this long: the ` +
           'state file carries the same analysis.', CAUTION, true);
  } else {
    notice(`Link copied (${length} characters)`, DONE);
  }
}

// --- WebGPU cost measurement (loaded on demand: no WebGPU work unless asked) ---------------------
// Times one DiT block per requested model within the panel's time budget (web/gpu/cost_measure.js).
// The kernels first check themselves against the core's CPU reference, the ditReference* bindings
// of the fitting workers' module (scalecalc_core.js), loaded here on the first measurement so that
// the app's own module does not carry them; no timing without a pass.
let referenceCore = null;
function loadReferenceCore() {
  referenceCore ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = 'scalecalc_core.js';
    script.onload = () => window.createScalecalcCore().then(resolve, reject);
    script.onerror = () => reject(new Error('scalecalc_core.js could not be loaded'));
    document.head.append(script);
  }).catch((error) => {
    referenceCore = null;  // the next measurement tries again
    throw error;
  });
  return referenceCore;
}

let costRun = null;
let costCancelled = false;  // a Cancel that came before the run had started
async function measureBlocks({ budgetSeconds, requests }) {
  costCancelled = false;
  let ditGpu;
  let costMeasure;
  let core;
  try {
    [ditGpu, costMeasure, core] = await Promise.all([
      import('./gpu/dit_gpu.js'), import('./gpu/cost_measure.js'), loadReferenceCore()]);
  } catch (error) {
    console.warn('cost measurement:', error);  // the detail, for whoever debugs the site
    return { device: 'not measured', failure: 'download', blocks: [] };  // the app words it
  }
  costRun = costMeasure.measureCost(ditGpu, core, requests, {
    budgetSeconds, onProgress: (done, total, label) => app.onCostProgress(done, total, label),
  });
  if (costCancelled) costRun.cancel();
  const result = await costRun.result;
  costRun = null;
  return result;
}

function downloadBlob(name, blob) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// --- What the app asks of the page (web_bridge.h) ----------------------------------------------
app.bridge = {
  copyToClipboard(text) {
    navigator.clipboard?.writeText(text).catch(() => app.setProblemNotice('The browser did not allow copying.'));
  },
  download(name, mime, content) {
    downloadBlob(name, new Blob([content], { type: mime }));
  },
  // A region of the canvas read back right after its frame was drawn: RGBA rows bottom-up, at the
  // device's resolution. Flipped into a 2D canvas and encoded as PNG.
  savePng(name, rgba, width, height) {
    const image = new ImageData(width, height);
    const row = width * 4;
    for (let y = 0; y < height; ++y) {
      image.data.set(rgba.subarray((height - 1 - y) * row, (height - y) * row), y * row);
    }
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    canvas.getContext('2d').putImageData(image, 0, 0);
    canvas.toBlob((blob) => {
      if (blob) downloadBlob(name, blob);
      else app.setProblemNotice('The browser could not encode the PNG.');
    }, 'image/png');
  },
  openFilePicker() { fileInput.click(); },
  fetchExample(index, path) {
    fetchText(path).then((text) => app.onExampleText(index, text))
      .catch((error) => app.reportLoadError(`The example could not be loaded: ${error.message}`));
  },
  startBootstrap(generation, group, bytes, total) { bootstrapPool.start(generation, bytes, total, group); },
  cancelBootstrap() { bootstrapPool.cancel(); },
  startDesign(generation, bytes) {
    designWorker?.terminate();
    const worker = new Worker('fit_worker.js');
    designWorker = worker;
    worker.onmessage = (event) => {
      const m = event.data;
      if (m.type === 'design-progress') app.onDesignProgress(m.generation, m.done, m.total);
      if (m.type === 'design-result') {
        app.onDesignResult(m.generation, m.ok, m.message, m.json);
        worker.terminate();
        if (designWorker === worker) designWorker = null;
      }
    };
    worker.onerror = () => app.onDesignResult(generation, false, 'the design worker stopped on an error', '');
    worker.postMessage({ type: 'design', generation, bytes });
  },
  cancelDesign() {
    designWorker?.terminate();
    designWorker = null;
  },
  measureBlocks(json) { measureBlocks(JSON.parse(json)).then((result) => app.onCostResult(JSON.stringify(result))); },
  cancelCostMeasurement() {
    costCancelled = true;
    costRun?.cancel();
  },
  shareState(bytes, copy, serial) {
    if (bytes.length === 0 && pendingShare?.copy) return;  // a requested link goes first
    pendingShare = { bytes, copy: copy || pendingShare?.copy, serial };
    clearTimeout(shareTimer);
    shareTimer = setTimeout(shareNow, copy ? 0 : 250);
  },
};

// --- Data arriving: paste, drop, file picker ----------------------------------------------------
async function openFile(file) {
  if (file.size > MAX_FILE_BYTES) {
    app.reportLoadError(`${file.name} is ${(file.size / 1048576).toFixed(0)} MiB; scalecalc reads ` +
                        `files up to ${MAX_FILE_BYTES / 1048576} MiB. The previous data is kept.`);
    return;
  }
  app.openFile(file.name, await file.text());
}

function installInputHandlers() {
  document.addEventListener('paste', (event) => {
    const file = event.clipboardData?.files?.[0];
    const text = event.clipboardData?.getData('text/plain');
    if (!file && !text) return;
    event.preventDefault();
    if (file) openFile(file);
    else app.onPaste(text);
  });
  document.addEventListener('dragover', (event) => {
    event.preventDefault();
    document.body.classList.add('dragging');
  });
  document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
  document.addEventListener('drop', (event) => {
    event.preventDefault();
    document.body.classList.remove('dragging');
    const file = event.dataTransfer?.files?.[0];
    if (file) openFile(file);
  });
  // Ctrl+L is the app's "copy link" (shown in its tooltip), not the browser's address bar.
  window.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && (event.key === 'l' || event.key === 'L')) event.preventDefault();
  });
  installTouch(app, app.canvas, document.getElementById('text-input'));
  fileInput.addEventListener('change', () => {
    if (fileInput.files[0]) openFile(fileInput.files[0]);
    fileInput.value = '';
  });
}

async function loadInitialState() {
  let linkError = '';
  if (initialFragment) {
    const decoded = await decodeFragment(initialFragment);
    linkError = decoded.ok ? app.loadStateBytes(decoded.bytes)
                           : `This link could not be opened: ${decoded.message}`;
    if (!linkError) return;
  }
  app.onExampleText(0, await (early.example || fetchText('assets/example_sweep.csv')));
  // After the example, which clears load errors: the page falls back, and says why.
  if (linkError) app.reportLoadError(`${linkError} The example is shown instead.`);
}

// The test hook: the app module, how it started, and the CPU cost of recent frames
// ({frames, median_ms, max_ms, last_ms}: ImGui's new frame to its draw data, GPU work excluded).
function installStartupHooks() {
  window.scalecalc = {
    app,
    // Test and benchmark hook of the worker pool (setSize, liveWorkers, lastSamples, setWorkerUrl).
    bootstrapPool,
    startup: startupInfo,
    frameStats: () => JSON.parse(app.frameStatsJson()),
    resetFrameStats: () => app.resetFrameStats(),
  };
}

// Resolves once the next animation frame has run all its callbacks (the app's main loop asked for
// it first, at start-up), so the app has drawn it.
function afterNextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

async function start() {
  const missing = missingFeature();
  if (missing) {
    showStatus(missing, true);
    return;
  }
  try {
    app.instantiateWasm = instantiateEarlyWasm;
    await createScalecalcApp(app);
    performance.mark('scalecalc:runtime-ready');  // start-up marks: bench/app_bench.mjs reads them
  } catch (error) {
    showStatus(`scalecalc could not start: ${error.message || error}`, true);
    return;
  }
  installStartupHooks();
  installInputHandlers();
  // The app's first frame comes before the data's read: it shows the panels with this in place of
  // results, then the data gets its "fitting..." frame and its fit (bench/README.md, "The page").
  app.setLoading(initialFragment ? 'opening the link...' : 'loading the example...');
  hideStatus();
  await afterNextFrame();
  performance.mark('scalecalc:first-frame');
  try {
    await loadInitialState();
  } finally {
    app.setLoading('');
  }
  performance.mark('scalecalc:data-loaded');
  app.canvas.focus();
  window.scalecalc.ready = true;
}

start();
