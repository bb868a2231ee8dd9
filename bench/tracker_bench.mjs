// tracker_bench.mjs: a 1,000,000-row training-curves file (about 55 MB, as a logger writes one
// row per checkpoint) read and point-fitted natively (the CLI) and in the page, side by side.
//   node bench/tracker_bench.mjs            (after `bash scripts/build.sh native wasm`)
//   node bench/tracker_bench.mjs --rows N   another size
//   node bench/tracker_bench.mjs --checkpoints final   one mode only
// Native: `scalecalc fit FILE --bootstrap 0 --json` wall time, process start and file read
// included, median of 3. Page: `app.loadCsv(text)` then `app.getResults()` (read, cells, point
// fit) timed in the page, median of 3 loads, each with --checkpoints final and all; the peak Pss
// of the page with its workers and of all of this bench's Chromium. Targets (issue 28): the page
// at most 3 s, at most 2x the native time on the same file, the page and its workers under 1 GB.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launch, openPage, waitForApp } from '../tests/browser/harness.mjs';

function argument(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

// The sweep of tests/core/tracker_test.cpp (5 model sizes x 7 learning rates x 5 batch sizes, a
// loss law with a convex bowl around the optima), each run logged every 10 steps.
export function curvesText(rows) {
  const params = [3e7, 6e7, 1.2e8, 2.4e8, 4.8e8];
  const lrs = [0, 1, 2, 3, 4, 5, 6].map((k) => 2.5e-4 * 2 ** (k / 2));
  const batches = [0, 1, 2, 3, 4].map((j) => 32768 * 2 ** (j / 2));
  const perRun = Math.ceil(rows / (params.length * lrs.length * batches.length));
  const lines = ['run_id,step,params,lr,batch_tokens,val/loss,train/loss'];
  let run = 0;
  for (const n of params) {
    for (const lr of lrs) {
      for (const batch of batches) {
        for (let k = 1; k <= perRun && lines.length <= rows; ++k) {
          const tokens = k * 10 * batch;
          const law = 0.45 + 30 * n ** -0.3 + 40 * tokens ** -0.3;
          const u = Math.log(lr / (1e-3 * (n / 1e8) ** -0.2));
          const v = Math.log(batch / (6.5e4 * (tokens / 4e9) ** 0.5));
          const loss = law * (1 + 0.01 * u * u + 0.004 * v * v + 0.002 * u * v);
          lines.push(`run-${run},${k * 10},${n},${lr.toPrecision(6)},${batch.toPrecision(8)},` +
                     `${loss.toFixed(6)},${(loss * 0.97).toFixed(6)}`);
        }
        ++run;
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

// Memory of the browser this script started (its processes are this process's descendants, so
// other browsers on the machine are not counted): the sum of their proportional set sizes (Pss,
// /proc/PID/smaps_rollup; shared pages split between the processes that share them), sampled
// every 50 ms while the page reads; the peak is what counts against the 1 GB target. The page's
// workers are threads of its renderer process, so they are in it.
function descendants(root) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch { /* the process ended */ }
  }
  const out = [];
  const stack = [root];
  while (stack.length) {
    for (const child of children.get(stack.pop()) || []) {
      out.push(child);
      stack.push(child);
    }
  }
  return out;
}

// { all, renderers }: Pss of every process of the browser, and of its renderers (the page and
// its workers) alone.
function browserPssBytes() {
  const pss = { all: 0, renderers: 0 };
  for (const pid of descendants(process.pid)) {
    try {
      const match = /^Pss:\s+([0-9]+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (!match) continue;
      const bytes = Number(match[1]) * 1024;
      pss.all += bytes;
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) pss.renderers += bytes;
    } catch { /* the process ended or is not ours to read */ }
  }
  return pss;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function nativeSeconds(cli, file, checkpoints) {
  const times = [];
  for (let i = 0; i < 3; ++i) {
    const start = process.hrtime.bigint();
    const run = spawnSync(cli, ['fit', file, '--bootstrap', '0', '--checkpoints', checkpoints,
                                '--json'], { maxBuffer: 1 << 30 });
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
    if (run.status !== 0 && run.status !== 2) {
      throw new Error(`native fit failed (${run.status}): ${run.stderr.toString().slice(0, 400)}`);
    }
  }
  return median(times);
}

async function pageSeconds(page, text, checkpoints) {
  return page.evaluate(({ csv, mode }) => {
    const app = window.scalecalc.app;
    app.setOption('bootstrap', '0');
    app.setOption('checkpoints', mode);
    const times = [];
    let runs = 0;
    for (let i = 0; i < 3; ++i) {
      app.loadCsv('', 'empty.csv');  // a new load each time, not a cached read
      const start = performance.now();
      const error = app.loadCsv(csv, `curves-${i}.csv`);
      const results = JSON.parse(app.getResults());
      times.push((performance.now() - start) / 1000);
      if (error) throw new Error(error);
      runs = results.data.runs;
    }
    const sorted = times.sort((a, b) => a - b);
    return { seconds: sorted[1], runs, memory: performance.memory?.usedJSHeapSize ?? NaN };
  }, { csv: text, mode: checkpoints });
}

const rows = Number(argument('--rows', 1000000));
const dir = path.resolve('build/bench');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, `curves_${rows}.csv`);
const text = curvesText(rows);
writeFileSync(file, text);
const cli = path.resolve('build/native/src/cli/scalecalc');

console.log(`curves file: ${rows} rows, ${(text.length / 1048576).toFixed(1)} MiB (${file})`);
console.log(`${'checkpoints'.padEnd(14)} ${'native s'.padStart(9)} ${'page s'.padStart(9)} ` +
            `${'page/native'.padStart(12)} ${'page+workers'.padStart(13)} ${'all Chromium'.padStart(12)}`);
console.log(`${''.padEnd(48)} (peak Pss, MB)`);
const { browser, url, close } = await launch();
try {
  const { page } = await openPage(browser, url);
  await waitForApp(page);
  for (const mode of argument('--checkpoints', 'final,all').split(',')) {
    const native = nativeSeconds(cli, file, mode);
    const peak = { all: 0, renderers: 0 };
    const sample = () => {
      const now = browserPssBytes();
      peak.all = Math.max(peak.all, now.all);
      peak.renderers = Math.max(peak.renderers, now.renderers);
    };
    sample();
    const sampler = setInterval(sample, 50);
    let inPage;
    try {
      inPage = await pageSeconds(page, text, mode);
      // The frames after the load (plots, the share link's encoding) run once the call returns.
      await page.waitForTimeout(2000);
    } finally {
      clearInterval(sampler);
    }
    sample();
    console.log(`${mode.padEnd(14)} ${native.toFixed(2).padStart(9)} ` +
                `${inPage.seconds.toFixed(2).padStart(9)} ${(inPage.seconds / native).toFixed(2).padStart(12)} ` +
                `${(peak.renderers / 1e6).toFixed(0).padStart(13)} ${(peak.all / 1e6).toFixed(0).padStart(12)}`);
  }
} finally {
  await close();
}
