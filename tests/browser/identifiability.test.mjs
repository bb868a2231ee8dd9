// Identifiability in the page (issue 25), on sweeps made here with known optima: one model size
// per group (laws in T alone keep their bootstrap intervals in the group table, a short reason
// code where the loss law is missing) and a sweep at T = 20 N (laws in N alone, the plan partial
// and its status shown in the warning colour). One page load for every check, in order.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as harness from './harness.mjs';
import { frames, launch, openPage, screenshotPath, waitForApp } from './harness.mjs';

let session;
let page;
before(async () => {
  session = await launch();
  ({ page } = await openPage(session.browser, session.url, { width: 1600, height: 1000 }));
  await waitForApp(page);
});
after(async () => { await session?.close(); });

const setOption = (name, value) => harness.setOption(page, name, value);
const results = () => harness.results(page);
const paste = (text) => harness.paste(page, text);

// A 7 x 7 lr x batch grid (factor-2 steps) around (lrOpt, batchOpt): the middle run is the best.
function cellRows(n, t, lrOpt, batchOpt, loss, tail = '') {
  const rows = [];
  for (let i = -3; i <= 3; ++i) {
    for (let j = -3; j <= 3; ++j) {
      const u = i * Math.LN2, v = j * Math.LN2;
      const l = loss * (1 + 0.01 * u * u + 0.004 * v * v);
      rows.push(`${n},${t},${lrOpt * 2 ** i},${batchOpt * 2 ** j},${l}${tail}`);
    }
  }
  return rows;
}

test('one size per group: lr and batch laws in T alone, with intervals, in the group table', async () => {
  const lines = ['params,tokens,lr,batch_size,loss,sparsity'];
  const lrExps = [-0.05, -0.07, -0.09, -0.11];
  lrExps.forEach((e, g) => {
    for (const t of [1e9, 2e9, 4e9, 8e9]) {
      lines.push(...cellRows(1e8, t, 3e-4 * (t / 1e9) ** e, 50000 * (t / 1e9) ** 0.8, 3.0, `,s${g}`));
    }
  });
  assert.equal(await setOption('bootstrap', '40'), '');
  await paste(lines.join('\n'));
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getResults()).data.runs === 784,
                             null, { timeout: 30000 });
  assert.equal(await setOption('group_column', 'sparsity'), '');
  await page.evaluate(() => window.scalecalc.app.selectPanel('fit'));
  await page.waitForFunction(() => {
    const r = JSON.parse(window.scalecalc.app.getResults());
    return r.groups && r.groups.length === 4 && !r.bootstrap.running &&
           r.groups.every((g) => g.comparison_row.lr.exp_T_ci95[0] !== null);
  }, null, { timeout: 240000, polling: 250 });
  const r = await results();
  r.groups.forEach((g, k) => {
    const row = g.comparison_row;
    assert.equal(row.fitted, false, g.name);
    assert.equal(row.why_code, 'loss_law_not_fitted', g.name);
    assert.deepEqual(row.lr.variables, ['T'], g.name);
    assert.equal(row.lr.exp_N, null, g.name);
    assert.ok(Math.abs(row.lr.exp_T - lrExps[k]) < 1e-9, `${g.name} lr exp_T ${row.lr.exp_T}`);
    const [lo, hi] = row.lr.exp_T_ci95;
    assert.ok(lo <= lrExps[k] + 1e-9 && hi >= lrExps[k] - 1e-9, `${g.name} interval ${lo}, ${hi}`);
    assert.ok(row.batch.exp_T_ci95[0] !== null, `${g.name} batch interval`);
    // The law's own JSON: a variable it does not use is null, never 0.
    assert.equal(g.lr_law.exp_N, null);
    assert.equal(g.lr_law.ci95.exp_N, null);
  });
  await frames(page, 4);
  await page.screenshot({ path: screenshotPath('identifiability-groups') });
});

test('a sweep at T = 20 N: laws in N alone, the plan partial with its reason', async () => {
  assert.equal(await setOption('group_column', ''), '');
  assert.equal(await setOption('bootstrap', '0'), '');
  const lines = ['params,tokens,lr,batch_size,loss'];
  for (let k = 0; k < 7; ++k) {
    const n = 5e6 * (109 / 5) ** (k / 6), t = 20 * n;
    lines.push(...cellRows(n, t, 0.3 * n ** (-1 / 3), 2 * n ** (2 / 3),
                           1.7 + 400 * n ** -0.34 + 410 * t ** -0.28));
  }
  await paste(lines.join('\n'));
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getResults()).data.runs === 343,
                             null, { timeout: 30000 });
  await page.evaluate(() => window.scalecalc.app.selectPanel('planner'));
  await frames(page, 3);
  const r = await results();
  assert.ok(r.warnings.some((w) => w.code === 'n_t_collinear'), JSON.stringify(r.warnings));
  assert.deepEqual(r.lr_law.variables, ['N']);
  assert.equal(r.lr_law.exp_T, null);
  assert.ok(Math.abs(r.lr_law.exp_N + 1 / 3) < 1e-9, `lr exp_N ${r.lr_law.exp_N}`);
  assert.equal(r.plan.status, 'partial');
  assert.ok(r.plan.warnings.some((w) => w.code === 'plan_not_identified' && w.severity === 'error'));
  await frames(page, 4);
  await page.screenshot({ path: screenshotPath('identifiability-planner') });
  // The Fit panel: the law in N alone, its T exponent shown as not used (never 0).
  await page.evaluate(() => window.scalecalc.app.selectPanel('fit'));
  await frames(page, 4);
  await page.screenshot({ path: screenshotPath('identifiability-fit') });
});
