// The calculator as a user drives it: paste, drop, change an option, a bad paste, the bootstrap
// with its progress bar and cancel, and a screenshot of each panel. Numbers are read through the
// app's Embind test hook (getResults / setOption / selectPanel), never scraped from the canvas.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { frames, launch, openPage, paste, screenshotPath, waitForApp } from './harness.mjs';

let session;
before(async () => { session = await launch(); });
after(async () => { await session?.close(); });

// A small sweep written out here: 3 sizes x 3 budgets x 3 learning rates, losses from a known law.
function sweepCsv() {
  const lines = ['params;tokens;lr;batch_tokens;loss'];
  for (const n of [2e7, 6e7, 2e8]) {
    for (const t of [2e9, 5e9, 1.2e10]) {
      for (const lr of [1e-4, 2e-4, 4e-4]) {
        const penalty = 0.004 * Math.log(lr / 2e-4) ** 2;
        const loss = (0.5 + 30 * n ** -0.3 + 20 * t ** -0.3) * (1 + penalty);
        lines.push(`${n};${t};${lr};163840;${loss.toFixed(6)}`);
      }
    }
  }
  return lines.join('\n');
}

async function results(page) {
  return JSON.parse(await page.evaluate(() => window.scalecalc.app.getResults()));
}



test('the example is loaded and fitted on first open', async () => {
  const { page, problems } = await openPage(session.browser, session.url);
  await waitForApp(page);
  const r = await results(page);
  assert.equal(r.data.name, 'example_sweep.csv');
  assert.equal(r.data.runs, 600);
  assert.ok(r.loss_law.alpha > 0.1 && r.loss_law.alpha < 1, `alpha ${r.loss_law.alpha}`);
  assert.ok(r.plan.params > 1e8, 'a plan for the default budget');
  assert.deepEqual(problems, []);
});

test('a real paste event loads data; a bad paste keeps it and shows the error', async () => {
  const { page, problems } = await openPage(session.browser, session.url);
  await waitForApp(page);
  await paste(page, sweepCsv());
  let r = await results(page);
  assert.equal(r.data.name, 'pasted data');
  assert.equal(r.data.runs, 27);
  const alphaBefore = r.loss_law.alpha;

  await paste(page, 'params,tokens,loss\n1e8,2e9,0.6\n2e8,abc,0.5\n');
  r = await results(page);
  assert.equal(r.data.runs, 27, 'the previous data is untouched');
  assert.equal(r.loss_law.alpha, alphaBefore);
  const error = await page.evaluate(() => window.scalecalc.app.getLoadError());
  assert.match(error, /line 3, column 2/);
  await frames(page);
  await page.screenshot({ path: screenshotPath('bad-paste') });
  assert.deepEqual(problems, []);
});

test('dropping a file loads it', async () => {
  const { page, problems } = await openPage(session.browser, session.url);
  await waitForApp(page);
  await page.evaluate((text) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], 'dropped_runs.csv', { type: 'text/csv' }));
    document.getElementById('canvas').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, sweepCsv());
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getResults()).data.name === 'dropped_runs.csv');
  assert.deepEqual(problems, []);
});

test('changing an option refits; bad option values are refused with a message', async () => {
  const { page, problems } = await openPage(session.browser, session.url);
  await waitForApp(page);
  const before = await results(page);
  assert.equal(await page.evaluate(() => window.scalecalc.app.setOption('optimum', 'smooth')), '');
  const after = await results(page);
  assert.equal(after.options.optimum, 'smooth');
  assert.notEqual(after.lr_law.coef, before.lr_law.coef, 'the smooth optimum moves the lr law');

  assert.equal(await page.evaluate(() => window.scalecalc.app.setOption('budget', '1e23')), '');
  assert.equal((await results(page)).plan.flops, 1e23);
  for (const [name, value, pattern] of [
    ['budget', 'NaN', /budget/], ['budget', '-5', /positive/], ['budget', '1e99', /between/],
    ['budget', '', /budget/], ['optimum', 'best', /argmin, band, smooth/], ['exclude', '0', /rows start at 1/],
    ['tolerance', '2', /below 0.5/], ['seed', '1.5', /whole number/], ['bootstrap', 'many', /bootstrap/],
  ]) {
    const message = await page.evaluate(([n, v]) => window.scalecalc.app.setOption(n, v), [name, value]);
    assert.match(message, pattern, `${name}=${value}`);
  }
  assert.equal((await results(page)).plan.flops, 1e23, 'refused values change nothing');
  assert.deepEqual(problems, []);
});

test('bootstrap runs in a worker with progress, and can be cancelled', async () => {
  const { page, problems } = await openPage(session.browser, session.url);
  await waitForApp(page);
  await page.evaluate(() => window.scalecalc.app.selectPanel('fit'));
  await page.evaluate(() => window.scalecalc.app.setOption('bootstrap', '200'));
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getResults()).bootstrap.samples === 200,
                             null, { timeout: 120000 });
  const r = await results(page);
  const ci = r.loss_law.ci95.alpha;
  assert.ok(ci[0] <= r.loss_law.alpha && r.loss_law.alpha <= ci[1], `alpha in its interval ${ci}`);
  assert.ok(r.plan.ci95.params[0] < r.plan.params && r.plan.params < r.plan.ci95.params[1]);

  // A long one, cancelled while it runs; the UI keeps drawing meanwhile. The slower refit of
  // before the warm starts keeps it running long enough to be caught (warm refits of the example
  // finish 20,000 resamples within a few frames).
  await page.evaluate(() => window.scalecalc.bootstrapPool.setRefit('legacy'));
  await page.evaluate(() => window.scalecalc.app.setOption('bootstrap', '100000'));
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getResults()).bootstrap.done > 0,
                             null, { timeout: 60000 });
  await frames(page, 5);
  await page.screenshot({ path: screenshotPath('bootstrap-progress') });
  // The main thread is free: frames keep coming while the worker fits. (Generous bound: the
  // software rasteriser on a loaded CI machine takes up to ~1 s a frame; a frozen UI takes minutes.)
  const started = Date.now();
  await frames(page, 5);
  assert.ok(Date.now() - started < 20000, 'frames keep coming while the worker fits');
  assert.ok(JSON.parse(await page.evaluate(() => window.scalecalc.app.getResults())).bootstrap.running,
            'still running when cancelled');
  await page.evaluate(() => window.scalecalc.app.cancelBootstrap());
  const after = await results(page);
  assert.equal(after.bootstrap.running, false);
  assert.match(after.bootstrap.message, /cancelled/);
  assert.deepEqual(problems, []);
});

test('screenshots of every panel', async () => {
  const { page, problems } = await openPage(session.browser, session.url);
  await waitForApp(page);
  for (const panel of ['data', 'fit', 'plots', 'planner', 'cost']) {
    await page.evaluate((p) => window.scalecalc.app.selectPanel(p), panel);
    await frames(page, 4);
    await page.screenshot({ path: screenshotPath(`panel-${panel}`) });
  }
  assert.deepEqual(problems, []);
});

test('the cost panel measures a block with WebGPU after the kernel check, and says why when it cannot', async () => {
  const { page, problems } = await openPage(session.browser, session.url);
  await waitForApp(page);
  await page.evaluate(() => window.scalecalc.app.selectPanel('cost'));
  // The kernel check counts against the panel's time budget: room for a loaded software adapter.
  await page.evaluate(() => window.scalecalc.app.setCostBudget(240));
  await page.evaluate(() => window.scalecalc.app.measureTypedShape(128, 2, 2, 1, 64, 64));
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getCostResult()).running === false,
                             null, { timeout: 240000 });
  const cost = JSON.parse(await page.evaluate(() => window.scalecalc.app.getCostResult()));
  assert.equal(cost.blocks.length, 1, JSON.stringify(cost));
  assert.ok(cost.blocks[0].ok, `measured: ${cost.blocks[0].message} ${cost.message}`);
  assert.ok(cost.blocks[0].blockMs > 0 && cost.blocks[0].blockGflops > 0);
  assert.match(cost.timing, /timestamp-query|wall-clock/);
  await frames(page, 3);
  await page.screenshot({ path: screenshotPath('panel-cost-measured') });
  assert.deepEqual(problems, []);

  const context = await session.browser.newContext();
  await context.addInitScript(() => { delete Object.getPrototypeOf(navigator).gpu; });
  const without = await openPage(session.browser, session.url, { context });
  await waitForApp(without.page);
  await without.page.evaluate(() => window.scalecalc.app.measureTypedShape(128, 2, 2, 1, 64, 64));
  await without.page.waitForFunction(() => JSON.parse(window.scalecalc.app.getCostResult()).running === false);
  const none = JSON.parse(await without.page.evaluate(() => window.scalecalc.app.getCostResult()));
  assert.match(none.message, /WebGPU unavailable/);
  assert.ok(JSON.parse(await without.page.evaluate(() => window.scalecalc.app.getResults())).plan.params > 0,
            'the rest of the app keeps working');
  assert.deepEqual(without.problems, []);
});
