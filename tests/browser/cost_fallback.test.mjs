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

  const budgetSeconds = 90;
  assert.equal(await page.evaluate((s) => window.scalecalc.app.setCostBudget(s), budgetSeconds), '');
  const started = Date.now();
  await page.evaluate(() => window.scalecalc.app.measurePlannedModels());
  result = await cost(page);
  assert.equal(result.running, true);
  assert.equal(result.total, result.requests.length);
  // The page keeps drawing while the adapter works (it answered every ~30 s before).
  const frames = await framesDuring(page, 3000);
  assert.ok(frames >= 3, `${frames} frames in 3 s while measuring`);
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getCostResult()).running === false,
                             null, { timeout: (budgetSeconds + 60) * 1000, polling: 250 });
  const seconds = (Date.now() - started) / 1000;
  result = await cost(page);
  assert.ok(seconds < budgetSeconds + 30, `finished in ${seconds.toFixed(0)} s, budget ${budgetSeconds} s`);
  assert.equal(result.fallback, true, `SwiftShader is recognised: ${result.device}`);
  assert.equal(result.blocks.length, 4, JSON.stringify(result));
  const measured = result.blocks.filter((b) => b.ok);
  assert.ok(measured.length >= 1, `at least one block measured: ${JSON.stringify(result.blocks)}`);
  for (const b of result.blocks.filter((x) => !x.ok)) assert.match(b.message, /time budget/);
  for (const b of measured) {
    const r = result.requests.find((x) => x.label === b.label);
    assert.equal(r.textTokens, 0, 'the default video has no cross-attention');
    assert.ok(b.extrapolated && b.measuredTokens === r.fallbackTokens && b.measuredTokens < r.tokens,
              `${b.label}: timed at fewer tokens`);
    // Cut to a block a software adapter times in a second or two (2 GFLOP), unless at the floor.
    assert.ok(2 * blockMacs(b.measuredTokens, r.width) <= 2e9 || b.measuredTokens <= 16);
    const ratio = blockMacs(r.tokens, r.width) / blockMacs(b.measuredTokens, r.width);
    assert.ok(Math.abs(b.flopRatio - ratio) <= 1e-12 * ratio, `${b.label}: ratio ${b.flopRatio} vs ${ratio}`);
    assert.ok(Math.abs(b.blockMs - b.measuredMs * ratio) <= 1e-9 * b.blockMs);
  }
  await page.screenshot({ path: screenshotPath('panel-cost-software-adapter') });

  // Cancel as soon as the first block starts: the rest are not measured.
  await page.evaluate(() => window.scalecalc.app.measurePlannedModels());
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getCostResult()).done >= 0, null, { polling: 100 });
  await page.evaluate(() => window.scalecalc.app.cancelCostMeasurement());
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getCostResult()).running === false,
                             null, { timeout: 60000, polling: 250 });
  result = await cost(page);
  assert.ok(result.blocks.some((b) => b.message === 'cancelled'), JSON.stringify(result.blocks));
  assert.deepEqual(problems, []);
});
