// The cost panel without a GPU (headless Chromium's WebGPU is SwiftShader, a software adapter):
// "Measure on this GPU" with the default models finishes within its time budget, timing each
// block at fewer tokens and scaling it by the FLOP ratio (checked against the block's MAC count
// written out here, science.md 4), frames keep coming meanwhile, and Cancel stops it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, openPage, screenshotPath, waitForApp } from './harness.mjs';

let session;
before(async () => { session = await launch(); });
after(async () => { await session?.close(); });

// MACs of one block without cross-attention: q, k, v, o 4 n d^2, MLP 8 n d^2, attention 2 n^2 d,
// adaLN 6 d^2.
const blockMacs = (n, d) => 12 * n * d * d + 2 * n * n * d + 6 * d * d;

const frames3 = (page) => page.evaluate(() => new Promise((resolve) => {
  let left = 3;
  const tick = () => (--left <= 0 ? resolve() : requestAnimationFrame(tick));
  requestAnimationFrame(tick);
}));
const cost = async (page) => JSON.parse(await page.evaluate(() => window.scalecalc.app.getCostResult()));

async function framesDuring(page, ms) {
  return page.evaluate((wait) => new Promise((resolve) => {
    let count = 0;
    const end = performance.now() + wait;
    const tick = (now) => (now > end ? resolve(count) : (count++, requestAnimationFrame(tick)));
    requestAnimationFrame(tick);
  }), ms);
}

test('software adapter: bounded, extrapolated by FLOPs, frames flowing, cancellable; bad budgets refused', async () => {
  const { page, problems } = await openPage(session.browser, session.url);
  await waitForApp(page);
  await page.evaluate(() => window.scalecalc.app.selectPanel('cost'));

  for (const bad of [NaN, Infinity, -5, 0, 0.5, 1e9]) {
    const message = await page.evaluate((s) => window.scalecalc.app.setCostBudget(s), bad);
    assert.match(message, /time budget \(s\) must be a number of seconds from 1 to 600/, `budget ${bad}`);
  }
  await page.evaluate(() => window.scalecalc.app.measurePlannedModels());
  let result = await cost(page);
  assert.equal(result.running, false, 'a bad budget starts nothing');
  assert.match(result.message, /time budget \(s\)/);

  // The network fails while the measurement's code (the DiT reference, fetched on the first
  // measurement) downloads: a message that says what to do, the fit untouched, and the next
  // press fetches it again (the measurement below).
  assert.equal(await page.evaluate(() => window.scalecalc.app.setCostBudget(300)), '');
  const laws = async () => {
    const { loss_law: loss, lr_law: lr, batch_law: batch } = JSON.parse(
      await page.evaluate(() => window.scalecalc.app.getResults()));
    return { loss, lr, batch };
  };
  // The example's own bootstrap first: its intervals arriving later are no change of the fit.
  await page.waitForFunction(() => !JSON.parse(window.scalecalc.app.getResults()).bootstrap.running,
                             null, { timeout: 60000 });
  const fitBefore = await laws();
  assert.ok(fitBefore.loss?.E !== undefined, 'the example is fitted');
  const problemsBefore = problems.length;
  const reference = '**/scalecalc_core.js';
  await page.route(reference, (route) => route.abort('internetdisconnected'));
  await page.evaluate(() => window.scalecalc.app.measureTypedShape(256, 1, 4, 1, 512, 512));
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getCostResult()).running === false,
                             null, { timeout: 60000, polling: 100 });
  result = await cost(page);
  assert.match(result.message,
               /could not be downloaded from this site: check the connection, then press "Measure on this GPU" again/);
  assert.doesNotMatch(result.message + result.device, /\.js|undefined|Error/);
  assert.equal(result.blocks.length, 0);
  assert.deepEqual(await laws(), fitBefore);
  await frames3(page);
  await page.screenshot({ path: screenshotPath('panel-cost-download-failed') });
  await page.unroute(reference);
  // The failure we caused: Chromium reports the aborted request (and may log it).
  assert.ok(problems.slice(problemsBefore).every((p) => /ERR_INTERNET_DISCONNECTED/.test(p)),
            problems.slice(problemsBefore).join('\n'));
  problems.splice(problemsBefore);

  // A typed shape of 1,024 tokens (one 512 x 512 frame), cut for the software adapter.
  assert.equal(await page.evaluate(() => window.scalecalc.app.setCostBudget(300)), '');
  await page.evaluate(() => window.scalecalc.app.measureTypedShape(256, 1, 4, 1, 512, 512));
  result = await cost(page);
  assert.equal(result.running, true);
  assert.equal(result.total, 1);
  // The page keeps drawing while the adapter works (it answered every ~30 s before).
  const frames = await framesDuring(page, 3000);
  assert.ok(frames >= 3, `${frames} frames in 3 s while measuring`);
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getCostResult()).running === false,
                             null, { timeout: 360000, polling: 250 });
  result = await cost(page);
  assert.equal(result.fallback, true, `SwiftShader is recognised: ${result.device}`);
  const [b] = result.blocks;
  const [r] = result.requests;
  assert.ok(b.ok, JSON.stringify(result));
  assert.equal(r.tokens, 1024);
  assert.equal(r.textTokens, 0, 'the default video has no cross-attention');
  assert.ok(b.extrapolated && b.measuredTokens === r.fallbackTokens && b.measuredTokens < r.tokens,
            'timed at fewer tokens');
  // Cut to a block a software adapter times in about a second (0.5 GFLOP), halving from 1,024.
  assert.ok(2 * blockMacs(b.measuredTokens, r.width) <= 5e8);
  assert.ok(2 * blockMacs(2 * b.measuredTokens, r.width) > 5e8);
  const ratio = blockMacs(r.tokens, r.width) / blockMacs(b.measuredTokens, r.width);
  assert.ok(Math.abs(b.flopRatio - ratio) <= 1e-12 * ratio, `ratio ${b.flopRatio} vs ${ratio}`);
  assert.ok(b.measuredMs > 0 && Math.abs(b.blockMs - b.measuredMs * ratio) <= 1e-9 * b.blockMs);
  await frames3(page);
  await page.screenshot({ path: screenshotPath('panel-cost-software-adapter') });

  // The four default models (over 6 minutes here before) within a 5 s budget: the check has
  // passed on this page, so the budget goes to the blocks, and it stops between kernels.
  assert.equal(await page.evaluate(() => window.scalecalc.app.setCostBudget(5)), '');
  const started = Date.now();
  await page.evaluate(() => window.scalecalc.app.measurePlannedModels());
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getCostResult()).running === false,
                             null, { timeout: 120000, polling: 250 });
  const seconds = (Date.now() - started) / 1000;
  result = await cost(page);
  assert.equal(result.blocks.length, 4, JSON.stringify(result));
  // Bounded by the budget plus the one kernel running when it ran out (a 16-token kernel of a
  // 3,000-wide model takes up to ~10 s on this loaded software adapter).
  assert.ok(seconds < 5 + 45, `finished in ${seconds.toFixed(0)} s with a 5 s budget`);
  assert.ok(result.blocks.some((x) => /time budget of 5 s ran out/.test(x.message)), JSON.stringify(result.blocks));
  await frames3(page);
  await page.screenshot({ path: screenshotPath('panel-cost-budget') });

  // Cancel as soon as it starts: nothing more is measured.
  await page.evaluate(() => window.scalecalc.app.setCostBudget(60));
  await page.evaluate(() => window.scalecalc.app.measurePlannedModels());
  await page.evaluate(() => window.scalecalc.app.cancelCostMeasurement());
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getCostResult()).running === false,
                             null, { timeout: 60000, polling: 250 });
  result = await cost(page);
  assert.ok(result.blocks.some((b) => b.message === 'cancelled'), JSON.stringify(result.blocks));
  assert.deepEqual(problems, []);
});
