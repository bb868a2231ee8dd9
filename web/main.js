// main.js: the page's JavaScript. Only what a browser alone can do: start the wasm app, feed it
// pasted and dropped files, and report what is missing. Every number comes from the wasm core.

const statusBox = document.getElementById('status');
const statusText = document.getElementById('status-text');

function showStatus(message, isError = false) {
  statusText.textContent = message;  // textContent: nothing is ever injected as HTML
  statusBox.classList.toggle('error', isError);
  statusBox.classList.remove('hidden');
}

function hideStatus() { statusBox.classList.add('hidden'); }

// What this browser lacks, or null when it can run the app.
function missingFeature() {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
    return 'This browser cannot run WebAssembly, which scalecalc needs. Please use a current ' +
           'version of Chrome, Edge, Firefox or Safari.';
  }
  const probe = document.createElement('canvas');
  if (!probe.getContext('webgl2')) {
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

async function start() {
  const missing = missingFeature();
  if (missing) {
    showStatus(missing, true);
    return;
  }
  const canvas = document.getElementById('canvas');
  let app;
  try {
    app = await createScalecalcApp({
      canvas,
      reportFatal: (message) => showStatus(message, true),
      print: (text) => console.log(text),
      printErr: (text) => console.warn(text),
    });
  } catch (error) {
    showStatus(`scalecalc could not start: ${error.message || error}`, true);
    return;
  }
  window.scalecalc = { app };
  const example = await fetchText('assets/example_sweep.csv');
  const message = app.loadCsv(example, 'example_sweep.csv');
  if (message) console.warn(`example: ${message}`);
  hideStatus();
  canvas.focus();
  window.scalecalc.ready = true;
}

start();
