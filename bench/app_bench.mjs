// app_bench.mjs: the page's weight and speed, printed side by side with a reference site.
//   node bench/app_bench.mjs                         (after `bash scripts/build.sh wasm`)
//   node bench/app_bench.mjs --reference DIR         a site built from an older commit
//   node bench/app_bench.mjs --reference-commit REV  builds that commit's site first (minutes;
//                                                    kept in build/bench-reference/REV)
//   node bench/app_bench.mjs --no-frames             sizes and load only (no Step Law part)
// Default reference: the commit before the page-load work (REFERENCE_COMMIT below).
// - download of the app (js + wasm) and of the fitting worker, raw and gzip -9;
// - load to first frame: navigation start -> the end of the first animation frame after the page
//   hid its loading overlay (the app itself on screen), measured in the page; headless,
//   localhost, median of 3 fresh browser contexts, the two sites alternating;
// - frame time with the Step Law data (1,911 runs) on the Plots panel with 1,000 bootstrap
//   samples attached: the frame's CPU time from the app's hook (scalecalc.frameStats: ImGui's
//   new frame to its draw data, GPU work excluded; the reference has no hook) and the interval
//   between animation frames (SwiftShader, a CPU rasteriser, dominates it here).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/serve.mjs';
import { siteDir } from '../tests/browser/harness.mjs';
import { REFERENCE_COMMIT, referenceSite } from './reference_site.mjs';

const TARGETS = { appGzipKiB: 500, loadRatio: 0.5, frameCpuMedianMs: 4 };

function argument(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function sizes(dir, files) {
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const full = path.join(dir, file);
    raw += statSync(full).size;
    gzip += gzipSync(readFileSync(full), { level: 9 }).length;
  }
  return { raw, gzip };
}

const kib = (bytes) => bytes / 1024;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const row = (label, a, b, unit = '', digits = 0) =>
  console.log(`${label.padEnd(40)} ${fmt(a, digits).padStart(10)} ${fmt(b, digits).padStart(10)}  ${unit}`);

const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];

async function waitReady(page, frames = 1) {
  await page.waitForFunction(() => window.scalecalc && window.scalecalc.ready === true, null,
                             { timeout: 120000 });
  return page.evaluate((count) => new Promise((resolve) => {
    let left = count;
    const tick = () => (--left <= 0 ? resolve(performance.now()) : requestAnimationFrame(tick));
    requestAnimationFrame(tick);
  }), frames);
}

// Runs in the page before its scripts: the time at the end of the first animation frame after the
// page hid its loading overlay (#status), in page time: the first frame in which the app itself is
// on screen (ours: the panels with "loading the example..." where results will be; the
// reference hides it only once the example is loaded, and fits it in that frame). The poll runs
// in every animation frame; in the first one that sees the overlay hidden it posts a task, which
// runs only once every animation-frame callback of that frame has run, the app's main loop
// included, whatever their order. Measured in the page, so the benchmark's own round trips to the
// browser are not counted.
function recordFirstFrameShown() {
  const poll = () => {
    const overlay = document.getElementById('status');
    if (!(window.scalecalc && overlay && overlay.classList.contains('hidden'))) {
      requestAnimationFrame(poll);
      return;
    }
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { window.firstFrameShownMs = performance.now(); };
    channel.port2.postMessage(0);
  };
  requestAnimationFrame(poll);
}

async function loadToFirstFrame(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(recordFirstFrameShown);
    await page.goto(url);
    const firstFrame = await page.waitForFunction(() => window.firstFrameShownMs, null,
                                                  { timeout: 120000 }).then((h) => h.jsonValue());
    // Where the time went (our start-up marks, web/main.js; the reference has none).
    const marks = await page.evaluate(() => Object.fromEntries([
      ...performance.getEntriesByType('mark').filter((m) => m.name.startsWith('scalecalc:'))
        .map((m) => [m.name.slice(10), m.startTime]),
      ...performance.getEntriesByType('resource').filter((r) => r.name.endsWith('scalecalc_app.wasm'))
        .map((r) => ['wasm-downloaded', r.responseEnd]),
    ]));
    return { firstFrame, marks };
  } finally {
    await context.close();
  }
}

// Animation-frame intervals (ms) over `count` frames, and the app's CPU frame stats if it has them.
// The mouse moves over the plots in every frame, as a user's would: a still screen is drawn at
// the idle rate (src/app/frame_pacing.h), which would measure nothing.
async function frameFigures(page, count) {
  return page.evaluate((n) => new Promise((resolve) => {
    window.scalecalc.resetFrameStats?.();
    const canvas = document.getElementById('canvas');
    const times = [];
    let last = performance.now();
    const tick = (now) => {
      canvas.dispatchEvent(new MouseEvent('mousemove', {
        clientX: 300 + (times.length % 2) * 40, clientY: 250, bubbles: true,
      }));
      times.push(now - last);
      last = now;
      if (times.length < n) {
        requestAnimationFrame(tick);
        return;
      }
      const sorted = times.slice(2).sort((a, b) => a - b);
      resolve({ interval: sorted[sorted.length >> 1], cpu: window.scalecalc.frameStats?.() || null });
    };
    requestAnimationFrame(tick);
  }), count);
}

async function plotsWithBootstrap(browser, url, steplaw) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    const page = await context.newPage();
    await page.goto(url);
    await waitReady(page, 2);
    await page.evaluate((text) => {
      window.scalecalc.app.onExampleText(2, text);
      window.scalecalc.app.selectPanel('plots');
      window.scalecalc.app.setOption('bootstrap', '1000');
    }, steplaw);
    const started = Date.now();
    await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getResults()).bootstrap.samples === 1000,
                               null, { timeout: 600000, polling: 500 });
    const bootstrapSeconds = (Date.now() - started) / 1000;
    const runs = JSON.parse(await page.evaluate(() => window.scalecalc.app.getResults())).data.runs;
    return { runs, bootstrapSeconds, ...(await frameFigures(page, 60)) };
  } finally {
    await context.close();
  }
}

const reference = argument('--reference') || referenceSite(argument('--reference-commit') || REFERENCE_COMMIT);
const sites = { reference, ours: siteDir };
const APP = ['scalecalc_app.js', 'scalecalc_app.wasm'];
const WORKER = ['scalecalc_core.js', 'scalecalc_core.wasm', 'fit_worker.js'];

console.log(`reference: ${reference}\nours:      ${siteDir}\nload:      ${readFileSync('/proc/loadavg', 'utf8').trim()}\n`);
console.log(`${''.padEnd(40)} ${'reference'.padStart(10)} ${'ours'.padStart(10)}`);
const size = Object.fromEntries(Object.entries(sites).map(([k, dir]) =>
  [k, { app: sizes(dir, APP), worker: sizes(dir, WORKER) }]));
row('app download, raw', kib(size.reference.app.raw), kib(size.ours.app.raw), 'KiB');
row('app download, gzip -9', kib(size.reference.app.gzip), kib(size.ours.app.gzip),
    `KiB  (target <= ${TARGETS.appGzipKiB})`);
row('worker download, gzip -9', kib(size.reference.worker.gzip), kib(size.ours.worker.gzip), 'KiB');

const servers = {};
for (const [k, dir] of Object.entries(sites)) servers[k] = await startServer(dir, 0);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: CHROMIUM_FLAGS,
});
try {
  const loads = { reference: [], ours: [] };
  for (let i = 0; i < 3; i++) {
    for (const k of ['reference', 'ours']) loads[k].push(await loadToFirstFrame(browser, servers[k].url));
  }
  const first = (k) => loads[k].map((x) => x.firstFrame);
  const load = { reference: median(first('reference')), ours: median(first('ours')) };
  row('load to first frame (median of 3)', load.reference, load.ours,
      `ms  ratio ${fmt(load.ours / load.reference, 2)} (target <= ${TARGETS.loadRatio})`);
  console.log(`${''.padEnd(40)} runs: ${first('reference').map((x) => fmt(x)).join(', ')} | ${first('ours').map((x) => fmt(x)).join(', ')}`);
  for (const mark of ['wasm-downloaded', 'wasm-compiled', 'runtime-ready', 'first-frame', 'data-loaded']) {
    const at = (k) => median(loads[k].map((x) => x.marks[mark]).filter(Number.isFinite));
    row(`  ${mark} (median)`, at('reference'), at('ours'), 'ms after navigation');
  }

  if (!process.argv.includes('--no-frames')) {  // else sizes and load only
    const steplaw = readFileSync(path.join(siteDir, 'data/steplaw_dense_lr_bs_loss.csv'), 'utf8');
    const plots = {};
    for (const k of ['reference', 'ours']) plots[k] = await plotsWithBootstrap(browser, servers[k].url, steplaw);
    console.log(`\nStep Law (${plots.ours.runs} runs), Plots panel, 1,000 bootstrap samples attached:`);
    row('bootstrap in the page', plots.reference.bootstrapSeconds, plots.ours.bootstrapSeconds, 's', 1);
    row('frame CPU time, median', plots.reference.cpu?.median_ms, plots.ours.cpu?.median_ms,
        `ms  (target <= ${TARGETS.frameCpuMedianMs}; reference: no hook)`, 2);
    row('frame CPU time, max', plots.reference.cpu?.max_ms, plots.ours.cpu?.max_ms, 'ms', 2);
    row('animation-frame interval, median', plots.reference.interval, plots.ours.interval,
        'ms  (SwiftShader rasterises on the CPU)', 1);
  }
} finally {
  await browser.close();
  for (const { server } of Object.values(servers)) server.close();
}
