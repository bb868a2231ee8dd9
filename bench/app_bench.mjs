// app_bench.mjs: the page's size and speed, printed side by side.
//   node bench/app_bench.mjs            (after `bash scripts/build.sh wasm`)
// - wasm + js size of the app and worker modules, raw and gzip;
// - load to first frame (navigation start -> app ready and one frame drawn);
// - frame time: the example on the Data panel (reference) vs the Step Law data (1,911 runs) with the
//   Plots panel open, in one browser session, as a ratio.
// Headless Chromium draws through SwiftShader (a CPU rasteriser): absolute frame times are far
// above a real GPU's; the ratio is what carries over.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { launch, openPage, siteDir, waitForApp } from '../tests/browser/harness.mjs';

function sizes(files) {
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const full = path.join(siteDir, file);
    raw += statSync(full).size;
    gzip += gzipSync(readFileSync(full), { level: 9 }).length;
  }
  return { raw, gzip };
}

const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;

async function frameTimes(page, count) {
  return page.evaluate((n) => new Promise((resolve) => {
    const times = [];
    let last = performance.now();
    const tick = (now) => {
      times.push(now - last);
      last = now;
      if (times.length < n) requestAnimationFrame(tick);
      else resolve(times.slice(2).sort((a, b) => a - b));
    };
    requestAnimationFrame(tick);
  }), count);
}
const median = (xs) => xs[Math.floor(xs.length / 2)];
const p95 = (xs) => xs[Math.floor(xs.length * 0.95)];

const app = sizes(['scalecalc_app.js', 'scalecalc_app.wasm']);
const worker = sizes(['scalecalc_core.js', 'scalecalc_core.wasm', 'fit_worker.js']);
console.log('size                     raw        gzip');
console.log(`app (js + wasm)          ${kib(app.raw).padEnd(10)} ${kib(app.gzip)}`);
console.log(`worker (js + wasm)       ${kib(worker.raw).padEnd(10)} ${kib(worker.gzip)}`);

const session = await launch();
try {
  const { page } = await openPage(session.browser, session.url);
  await waitForApp(page, 1);
  const loadMs = await page.evaluate(() => performance.now());
  console.log(`\nload to first frame      ${loadMs.toFixed(0)} ms (headless, localhost)`);

  await page.evaluate(() => window.scalecalc.app.selectPanel('data'));
  const reference = await frameTimes(page, 60);
  const steplaw = readFileSync(path.join(siteDir, 'data/steplaw_dense_lr_bs_loss.csv'), 'utf8');
  await page.evaluate((text) => {
    window.scalecalc.app.onExampleText(2, text);
    window.scalecalc.app.setOption('bootstrap', '0');
    window.scalecalc.app.selectPanel('plots');
  }, steplaw);
  const runs = JSON.parse(await page.evaluate(() => window.scalecalc.app.getResults())).data.runs;
  const plots = await frameTimes(page, 60);
  console.log('\nframe time               median     p95');
  console.log(`example, Data panel      ${median(reference).toFixed(1).padEnd(10)} ${p95(reference).toFixed(1)} ms`);
  console.log(`Step Law (${runs} runs), Plots ${median(plots).toFixed(1).padEnd(7)} ${p95(plots).toFixed(1)} ms`);
  console.log(`ratio (plots / reference) ${(median(plots) / median(reference)).toFixed(2)}x`);
} finally {
  await session.close();
}
