// Experiment trackers' files in the page (issue 28): an MLflow export pasted with a failed run
// (left out, listed; the Data panel's "keep unfinished runs" brings it back) and training curves
// (the Data panel's checkpoints: final or all), and the bootstrap of a file larger than a link
// carries (the workers decode the page's own hand-off). One page load; screenshots of the Data
// panel.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { frames, launch, openPage, screenshotPath, waitForApp } from './harness.mjs';

let session;
let page;
let problems;
before(async () => {
  session = await launch();
  ({ page, problems } = await openPage(session.browser, session.url, { width: 1600, height: 1000 }));
  await waitForApp(page);
});
after(async () => { await session?.close(); });

const setOption = (name, value) =>
  page.evaluate(([n, v]) => window.scalecalc.app.setOption(n, v), [name, value]);
const load = (text, name) =>
  page.evaluate(([t, n]) => window.scalecalc.app.loadCsv(t, n), [text, name]);
const results = async () => JSON.parse(await page.evaluate(() => window.scalecalc.app.getResults()));

// Four model sizes x two token budgets, one row per run, as mlflow.search_runs writes them.
function mlflowText() {
  const lines = ['run_id,experiment_id,status,metrics.val_loss,metrics.lr,params.n_params,params.tokens'];
  let k = 0;
  for (const n of [1e8, 2e8, 4e8, 8e8]) {
    for (const t of [2e9, 8e9]) {
      const loss = 0.45 + 30 * n ** -0.3 + 40 * t ** -0.3;
      lines.push(`id${k++},1,FINISHED,${loss},1e-06,${n},${t}`);
    }
  }
  lines.push(`id${k++},1,KILLED,0.9,1e-06,1.6e9,8e9`);
  return `${lines.join('\n')}\n`;
}

function curvesText() {
  const lines = ['run_id,step,params,lr,batch_tokens,val/loss,train/loss'];
  let run = 0;
  for (const n of [1e8, 2e8, 4e8, 8e8]) {
    for (const lr of [5e-4, 1e-3]) {
      for (let step = 1000; step <= 4000; step += 1000) {
        const tokens = step * 65536;
        const loss = (0.45 + 30 * n ** -0.3 + 40 * tokens ** -0.3) * (1 + 0.01 * Math.log(lr / 7e-4) ** 2);
        lines.push(`r${run},${step},${n},${lr},65536,${loss},${loss * 0.97}`);
      }
      ++run;
    }
  }
  return `${lines.join('\n')}\n`;
}

test('an MLflow export: the failed run is left out, listed, and comes back', async () => {
  assert.equal(await setOption('bootstrap', '0'), '');
  assert.equal(await load(mlflowText(), 'mlflow_runs.csv'), '');
  let r = await results();
  assert.equal(r.data.runs, 8);
  assert.equal(r.data.unfinished, 1);
  assert.equal(r.options.keep_unfinished, false);
  await frames(page, 4);
  await page.screenshot({ path: screenshotPath('trackers-mlflow-data') });
  assert.equal(await setOption('keep_unfinished', 'true'), '');
  r = await results();
  assert.equal(r.data.runs, 9);
  assert.equal(r.data.unfinished, 0);
  assert.match(await setOption('keep_unfinished', 'sometimes'), /keep unfinished runs/);
  assert.equal(await setOption('keep_unfinished', 'false'), '');
});

test('training curves: final, then every checkpoint', async () => {
  assert.equal(await load(curvesText(), 'curves.csv'), '');
  let r = await results();
  assert.equal(r.data.curves, 8);
  assert.equal(r.data.runs, 8);  // each run's last checkpoint
  assert.equal(r.options.checkpoints, 'final');
  assert.equal(await setOption('checkpoints', 'all'), '');
  r = await results();
  assert.equal(r.data.runs, 32);
  assert.equal(r.options.checkpoints, 'all');
  assert.match(await setOption('checkpoints', 'some'), /final, all/);
  await frames(page, 4);
  await page.screenshot({ path: screenshotPath('trackers-curves-data') });
});

test('a file over a link\'s 16 MiB gets its bootstrap from the workers', async () => {
  // A small sweep and 17 MiB of comment lines (a logger's header, say): the state handed to the
  // workers holds all of it.
  const rows = ['params,tokens,loss'];
  for (const n of [1e8, 2e8, 4e8, 8e8]) {
    for (const t of [2e9, 4e9, 8e9, 16e9]) rows.push(`${n},${t},${0.45 + 30 * n ** -0.3 + 40 * t ** -0.3}`);
  }
  const sweep = `${rows.join('\n')}\n`;
  const comment = `# ${'x'.repeat(1000)}\n`;
  const text = comment.repeat(17 * 1024) + sweep;
  assert.ok(text.length > 16 * 1048576);
  assert.equal(await setOption('checkpoints', 'final'), '');
  // The small curves before it are in the address bar; a file this large is not (encoding its
  // link after every change cost seconds: share.cpp builds it when Copy link asks), nor does the
  // bar keep the link of the data before.
  await page.waitForFunction(() => window.location.href.includes('#s1.'), null, { timeout: 30000 });
  assert.equal(await load(text, 'big.csv'), '');
  await page.waitForFunction(() => !window.location.href.includes('#'), null, { timeout: 30000 });
  assert.equal(await setOption('bootstrap', '20'), '');
  await page.waitForFunction(() => {
    const r = JSON.parse(window.scalecalc.app.getResults());
    return !r.bootstrap.running && r.bootstrap.samples > 0;
  }, null, { timeout: 240000, polling: 500 });
  const r = await results();
  assert.equal(r.data.runs, 16);
  assert.equal(r.bootstrap.message, '');
  assert.ok(r.bootstrap.samples >= 18, JSON.stringify(r.bootstrap));
  assert.equal(await setOption('bootstrap', '0'), '');
  assert.deepEqual(problems, []);
});
