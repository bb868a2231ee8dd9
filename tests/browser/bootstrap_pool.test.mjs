// The bootstrap on a pool of fitting workers (web/bootstrap_pool.js): pool sizes 1, 2 and 3 give
// identical samples (resample k has its own generator), cancelling mid-way with several workers
// leaves none running and keeps the point fit, cancelling while the workers still load keeps them
// for the next job, the page draws at its idle rate while it runs and
// nothing else happens, and a worker that cannot load is reported while the point fit stays. One
// page load for all checks; 200 resamples of the example.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { frames, launch, openPage, results, screenshotPath, setOption, waitForApp } from './harness.mjs';

let session;
before(async () => { session = await launch(); });
after(async () => { await session?.close(); });


// Starts a fresh bootstrap of `samples` resamples (0 first, so the same count starts again).
async function restartBootstrap(page, samples) {
  assert.equal(await setOption(page, 'bootstrap', '0'), '');
  await frames(page);
  assert.equal(await setOption(page, 'bootstrap', String(samples)), '');
  await frames(page);
}

test('pool sizes 1, 2, 3 give identical samples; cancel stops every worker; a failed worker is reported', async () => {
  const { page, problems } = await openPage(session.browser, session.url);
  await waitForApp(page);
  const point = (await results(page)).loss_law;
  assert.ok(point.alpha > 0, 'the example has a point fit');

  const flats = [];
  for (const size of [1, 2, 3]) {
    assert.equal(await page.evaluate((n) => window.scalecalc.bootstrapPool.setSize(n), size), '');
    await restartBootstrap(page, 200);
    await page.waitForFunction(() => {
      const r = JSON.parse(window.scalecalc.app.getResults());
      return !r.bootstrap.running && r.bootstrap.samples === 200;
    }, null, { timeout: 120000 });
    const flat = await page.evaluate(() => Array.from(window.scalecalc.bootstrapPool.lastSamples()));
    assert.equal(flat.length, 200 * 11, `pool of ${size}: 200 samples of 11 values`);
    flats.push(JSON.stringify(flat));  // NaN (absent laws) as null, compared exactly
    assert.equal(await page.evaluate(() => window.scalecalc.bootstrapPool.liveWorkers()), size,
                 'the workers are kept for the next job');
  }
  assert.equal(flats[1], flats[0], 'pool of 2 = pool of 1');
  assert.equal(flats[2], flats[0], 'pool of 3 = pool of 1');
  const intervals = (await results(page)).loss_law.ci95;
  assert.ok(intervals.alpha[0] < point.alpha && point.alpha < intervals.alpha[1], 'alpha in its interval');

  // Cancel mid-way with three workers computing (the slower legacy refit, so that no share ends
  // before the cancel and every worker is still busy).
  await page.evaluate(() => window.scalecalc.bootstrapPool.setRefit('legacy'));
  await restartBootstrap(page, 100000);
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getResults()).bootstrap.done > 0,
                             null, { timeout: 60000 });
  assert.equal(await page.evaluate(() => window.scalecalc.bootstrapPool.busyWorkers()), 3);
  // While it runs and nothing happens the page draws at the idle rate (src/app/frame_pacing.h:
  // 5 frames a second, the progress bar still moving); input brings back every frame at once.
  await page.waitForFunction(() => window.scalecalc.app.framesIdle(), null, { timeout: 5000 });
  const idle = await page.evaluate(async () => {
    const { app } = window.scalecalc;
    const done = JSON.parse(app.getResults()).bootstrap.done;
    app.resetFrameStats();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return { drawn: JSON.parse(app.frameStatsJson()).frames,
             moved: JSON.parse(app.getResults()).bootstrap.done > done };
  });
  assert.ok(idle.drawn >= 2 && idle.drawn <= 8, `idle: ${idle.drawn} frames in a second`);
  assert.ok(idle.moved, 'the bootstrap goes on');
  await page.mouse.move(300, 200);
  assert.equal(await page.evaluate(() => window.scalecalc.app.framesIdle()), false, 'a mouse move wakes');
  await page.waitForFunction(() => window.scalecalc.app.framesIdle(), null, { timeout: 5000 });
  await page.evaluate(() => window.scalecalc.app.selectPanel('fit'));
  assert.equal(await page.evaluate(() => window.scalecalc.app.framesIdle()), false, 'a change wakes');
  await page.evaluate(() => window.scalecalc.app.cancelBootstrap());
  await frames(page);
  assert.equal(await page.evaluate(() => window.scalecalc.bootstrapPool.liveWorkers()), 0,
               'no worker left running');
  const r = await results(page);
  assert.equal(r.bootstrap.running, false);
  assert.match(r.bootstrap.message, /cancelled/);
  assert.equal(r.loss_law.alpha, point.alpha, 'the point fit is intact');

  await page.evaluate(() => window.scalecalc.bootstrapPool.setRefit('warm'));
  // Cancelled while its three fresh workers still load their module: they are kept (terminating
  // one mid-load aborted a script request Chromium shared with the next worker's, which then
  // failed to load), drop the job, and run the next one.
  assert.equal(await setOption(page, 'bootstrap', '0'), '');
  await frames(page);
  const mid = await page.evaluate(async () => {
    const { app, bootstrapPool: pool } = window.scalecalc;
    app.setOption('bootstrap', '200');
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    for (let i = 0; i < 10 && pool.liveWorkers() === 0; ++i) await frame();
    const loading = pool.loadingWorkers();
    app.cancelBootstrap();
    return { loading, live: pool.liveWorkers(), busy: pool.busyWorkers() };
  });
  assert.equal(mid.loading, 3, 'the workers were still loading when cancelled');
  assert.deepEqual([mid.live, mid.busy], [3, 0], 'loading workers are kept, idle');
  await restartBootstrap(page, 200);
  await page.waitForFunction(() => {
    const r = JSON.parse(window.scalecalc.app.getResults());
    return !r.bootstrap.running && r.bootstrap.samples === 200;
  }, null, { timeout: 120000 });
  assert.equal(await page.evaluate(() => window.scalecalc.bootstrapPool.liveWorkers()), 3);
  // A worker that fails: a bootstrap with `url` as its script reports `expected` (which quotes the
  // Fit panel's button as it is labelled), no browser or file text, and the point fit stays.
  const failingWorker = async (url, expected, browserText) => {
    await page.evaluate((u) => window.scalecalc.bootstrapPool.setWorkerUrl(u), url);
    await restartBootstrap(page, 200);
    await page.waitForFunction(() => !JSON.parse(window.scalecalc.app.getResults()).bootstrap.running,
                               null, { timeout: 60000 });
    const failed = await results(page);
    assert.match(failed.bootstrap.message, expected);
    assert.doesNotMatch(failed.bootstrap.message, browserText);
    assert.equal(failed.loss_law.alpha, point.alpha, 'the point fit is intact');
  };
  // One that cannot load.
  await failingWorker('missing_fit_worker.js',
                      /worker could not be downloaded from this site: check the connection, then press "Compute intervals \(bootstrap\)" again/,
                      /\.js|undefined|Error/);
  // One that loads but fails (the page's module script, which no classic worker can run).
  await failingWorker('main.js',
                      /stopped on an error in its worker: press "Compute intervals \(bootstrap\)" to try again/,
                      /\.js|undefined|SyntaxError/);
  await page.evaluate(() => window.scalecalc.app.selectPanel('fit'));
  await frames(page, 5);
  await page.screenshot({ path: screenshotPath('bootstrap-worker-failed') });
  const unexpected = problems.filter((p) => !p.includes('missing_fit_worker.js'));
  assert.deepEqual(unexpected, []);
});
