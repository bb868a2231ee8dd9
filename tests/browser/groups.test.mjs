// Experiments side by side in the page (issue 10): paste the IsoFLOP collection, group it by
// `experiment`, and check the comparison table (point fits, then each group's bootstrap
// intervals, and Cancel), the overlaid loss and residual plots, and the planner's two compared
// groups through a share link, through the test hook (getResults / setOption), with screenshots
// of the Fit, Plots and Planner panels at desktop and phone size. One page load for every check:
// the tests below run in order on the same page.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as harness from './harness.mjs';
import { frames, launch, openPage, screenshotPath, waitForApp } from './harness.mjs';

const dataDir = process.env.SCALECALC_EXTERNAL_DATA_DIR || path.resolve('../shared/data/external');
const isoPath = path.join(dataDir, 'isoflops_multi_source.csv');

let session;
let page;      // the one page every test uses, in order
let problems;  // its console errors, failed requests and policy violations
before(async () => {
  session = await launch();
  ({ page, problems } = await openPage(session.browser, session.url, { width: 1600, height: 1000 }));
  await waitForApp(page);
});
after(async () => { await session?.close(); });
const haveData = fs.existsSync(isoPath);
const setOption = (name, value) => harness.setOption(page, name, value);
const paste = (text) => harness.paste(page, text);
// Resolves once the bootstrap chain (the whole table, then each group) has stopped.
async function bootstrapSettled(timeout = 240000) {
  await page.waitForFunction(() => !JSON.parse(window.scalecalc.app.getResults()).bootstrap.running,
                             null, { timeout, polling: 250 });
  return results(page);
}
async function screenshots(name) {
  await frames(page, 4);
  await page.screenshot({ path: screenshotPath(`${name}`) });
}

async function results(page) {
  return JSON.parse(await page.evaluate(() => window.scalecalc.app.getResults()));
}


test('the IsoFLOP collection grouped by experiment: table, overlays, Approach 2', async (t) => {
  if (!haveData) {
    t.skip(`missing ${isoPath} (set SCALECALC_EXTERNAL_DATA_DIR)`);
    return;
  }
  const text = fs.readFileSync(isoPath, 'utf8');
  // No bootstrap: the checks are on point fits, and the worker would only slow the page down.
  assert.equal(await page.evaluate(() => window.scalecalc.app.setOption('bootstrap', '0')), '');
  await paste(text);
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getResults()).data.runs === 947,
                             null, { timeout: 30000 });
  let r = await results(page);
  // The curators' outliers are out by themselves; Approach 2 applies to the whole file.
  assert.equal(r.input.flagged.rows.length, 197);
  assert.equal(r.data.included, 947 - 197);
  assert.ok(r.input.text_columns.includes('experiment'));
  assert.ok(r.isoflop && r.isoflop.applicable, 'isoflop in the results');

  // A column that does not exist is refused where it was typed, naming the control.
  const refused = await page.evaluate(() => window.scalecalc.app.setOption('group_column', 'nosuch'));
  assert.match(refused, /group by/);
  assert.match(await page.evaluate(() => window.scalecalc.app.setOption('group_column', 'x'.repeat(100000))),
               /group by/);
  // A column the fit reads (tokens: 643 distinct numbers) is no group.
  assert.match(await page.evaluate(() => window.scalecalc.app.setOption('group_column', 'tokens')),
               /group by/);
  assert.equal(await page.evaluate(() => window.scalecalc.app.setOption('group_column', 'experiment')), '');
  await frames(page, 3);
  r = await results(page);
  assert.equal(r.options.group_column, 'experiment');
  assert.equal(r.groups.length, 8);
  const oracle = new Map();  // experiment -> [rows, flagged], from the file itself
  for (const line of text.trim().split('\n').slice(1)) {
    const cells = line.split(',');
    const entry = oracle.get(cells[4]) || [0, 0];
    entry[0] += 1;
    entry[1] += cells[9] === 'True' ? 1 : 0;
    oracle.set(cells[4], entry);
  }
  for (const g of r.groups) {
    const [rows, flagged] = oracle.get(g.name);
    assert.equal(g.comparison_row.runs, rows, g.name);
    assert.equal(g.comparison_row.excluded, flagged, g.name);
    assert.ok(g.ok && g.comparison_row.fitted, `${g.name}: ${g.message}`);
    assert.ok(g.comparison_row.a > 0.2 && g.comparison_row.a < 0.8, `${g.name} a ${g.comparison_row.a}`);
    assert.ok(g.isoflop.ok && g.isoflop.params_exp > 0.3 && g.isoflop.params_exp < 0.7, g.name);
    assert.ok(g.comparison_row.params_opt > 0, `${g.name} planned at the budget`);
  }
  assert.deepEqual(r.groups_shown, new Array(8).fill(true));

  await page.evaluate(() => window.scalecalc.app.selectPanel('data'));
  await frames(page, 4);
  await page.screenshot({ path: screenshotPath('groups-data') });
  await page.evaluate(() => window.scalecalc.app.selectPanel('fit'));
  await frames(page, 4);
  await page.screenshot({ path: screenshotPath('groups-fit') });
  await page.evaluate(() => window.scalecalc.app.selectPanel('plots'));
  await frames(page, 4);
  await page.screenshot({ path: screenshotPath('groups-plots') });

  // Keep flagged rows brings the outliers back in every group.
  assert.equal(await page.evaluate(() => window.scalecalc.app.setOption('keep_flagged', 'true')), '');
  await frames(page, 2);
  r = await results(page);
  assert.equal(r.data.included, 947);
  assert.ok(r.groups.every((g) => g.comparison_row.excluded === 0));
  assert.match(await page.evaluate(() => window.scalecalc.app.setOption('keep_flagged', 'maybe')),
               /keep flagged/);
  assert.deepEqual(problems, []);
});

// Each group's 95% intervals come from its own bootstrap, run after the whole table's with the
// same resample count and seed; they are shown only when >= 90% of the resamples gave a fit.
const kResamples = 40;
let withIntervals;  // the results once every group's bootstrap is in

test('each group gets its own bootstrap intervals, in order, and they obey the 90% rule', async (t) => {
  if (!haveData) {
    t.skip(`missing ${isoPath}`);
    return;
  }
  assert.equal(await setOption('keep_flagged', 'false'), '');
  assert.equal(await setOption('bootstrap', String(kResamples)), '');
  await page.evaluate(() => window.scalecalc.app.selectPanel('fit'));
  const r = await bootstrapSettled();
  withIntervals = r;
  assert.equal(r.bootstrap.message, '');
  assert.equal(r.groups.length, 8);
  let shown = 0;
  for (const g of r.groups) {
    const law = g.loss_law;
    assert.ok(g.bootstrap_attempted === kResamples, `${g.name}: ${g.bootstrap_attempted} resamples drawn`);
    const kept = g.bootstrap_samples / kResamples;
    const ci = law.ci95;
    if (kept >= 0.9) {
      ++shown;
      for (const key of ['E', 'A', 'alpha', 'B', 'beta']) {
        assert.ok(Array.isArray(ci[key]) && ci[key][0] <= ci[key][1], `${g.name} ${key} ${ci[key]}`);
      }
      const row = g.comparison_row;
      assert.ok(row.a_ci95 && row.a_ci95[0] <= row.a_ci95[1], `${g.name} a interval`);
      // a = beta / (alpha + beta) of the same resamples: inside the extremes of its parts.
      const aLo = ci.beta[0] / (ci.alpha[1] + ci.beta[0]);
      const aHi = ci.beta[1] / (ci.alpha[0] + ci.beta[1]);
      assert.ok(row.a_ci95[0] >= aLo - 1e-12 && row.a_ci95[1] <= aHi + 1e-12, `${g.name} a ${row.a_ci95}`);
      assert.ok(row.params_ci95 && row.params_ci95[0] > 0, `${g.name} N_opt interval`);
      assert.ok(row.loss_ci95 && row.loss_ci95[0] <= row.loss_ci95[1], `${g.name} loss interval`);
      assert.ok(row.isoflop_exp_ci95, `${g.name} Approach 2 interval`);
    } else {
      for (const key of ['E', 'A', 'alpha', 'B', 'beta']) assert.equal(ci[key], null, `${g.name} ${key}`);
      assert.ok(g.intervals_withheld, `${g.name}: withheld without a reason`);
    }
  }
  assert.ok(shown >= 4, `intervals for ${shown} of 8 groups`);
  await screenshots('groups-fit-intervals');
});

test('a group\'s intervals are those of its rows pasted alone', async (t) => {
  if (!haveData || !withIntervals) {
    t.skip('needs the previous test');
    return;
  }
  // The smallest group with intervals: its rows alone, ungrouped, same options and seed.
  const text = fs.readFileSync(isoPath, 'utf8').trim().split('\n');
  const candidates = withIntervals.groups.filter((g) => g.loss_law.ci95.E)
    .sort((a, b) => a.comparison_row.runs - b.comparison_row.runs);
  const group = candidates[0];
  const rows = text.slice(1).filter((line) => line.split(',')[4] === group.name);
  assert.equal(rows.length, group.comparison_row.runs);
  await paste([text[0], ...rows].join('\n') + '\n');
  await page.waitForFunction((n) => JSON.parse(window.scalecalc.app.getResults()).data.runs === n,
                             rows.length, { timeout: 30000 });
  const alone = await bootstrapSettled();
  assert.equal(alone.options.group_column, '');
  assert.equal(alone.bootstrap_samples, group.bootstrap_samples);
  assert.deepEqual(alone.loss_law.ci95, group.loss_law.ci95);
  assert.deepEqual(alone.plan.ci95.params, group.comparison_row.params_ci95);
});

test('Cancel stops the chain of group bootstraps', async (t) => {
  if (!haveData) {
    t.skip(`missing ${isoPath}`);
    return;
  }
  // Enough resamples that the chain is caught early in a group's job (each job takes a while).
  assert.equal(await setOption('bootstrap', '400'), '');
  await paste(fs.readFileSync(isoPath, 'utf8'));
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getResults()).data.runs === 947,
                             null, { timeout: 30000 });
  assert.equal(await setOption('group_column', 'experiment'), '');
  // The chain passes through the groups: the job in flight names one. Caught in its first half, so
  // that the Cancel below lands before the job (perhaps the chain's last) ends.
  await page.waitForFunction(() => {
    const b = JSON.parse(window.scalecalc.app.getResults()).bootstrap;
    return b.group >= 1 && b.running && b.done * 2 < b.total;
  }, null, { timeout: 120000, polling: 20 });
  await page.screenshot({ path: screenshotPath('groups-fit-bootstrap-running') });
  await page.evaluate(() => window.scalecalc.app.cancelBootstrap());
  const cancelled = await results(page);
  const at = cancelled.bootstrap.group;
  assert.equal(cancelled.bootstrap.running, false);
  assert.equal(cancelled.bootstrap.message, 'bootstrap cancelled');
  await page.waitForTimeout(1500);
  const later = await results(page);
  assert.equal(later.bootstrap.running, false, 'the chain went on after Cancel');
  assert.equal(later.bootstrap.group, at);
  // The groups before the cancelled one have their intervals; it and those after have none.
  later.groups.forEach((g, i) => {
    assert.equal(g.bootstrap_samples > 0, i < at, `${g.name} (${i}, cancelled at ${at})`);
  });
  assert.equal(await page.evaluate(() => window.scalecalc.bootstrapPool.busyWorkers()), 0);
});

test('the loss and residual plots overlay the groups, each toggled by its "show" box', async (t) => {
  if (!haveData) {
    t.skip(`missing ${isoPath}`);
    return;
  }
  await page.evaluate(() => window.scalecalc.app.selectPanel('plots'));
  await frames(page, 4);
  const stats = async () => {
    await frames(page, 2);
    return JSON.parse(await page.evaluate(() => window.scalecalc.app.layoutRects())).values;
  };
  const r = await results(page);
  assert.equal(r.group_plots.length, 8);
  const residuals = r.group_plots.map((g) => g.residuals);
  // Every group's included runs are cells of its plot, each with a residual (no sweep here: a cell
  // per distinct (N, T)); the file says how many runs each group has in.
  const included = new Map();
  for (const line of fs.readFileSync(isoPath, 'utf8').trim().split('\n').slice(1)) {
    const cells = line.split(',');
    if (cells[9] !== 'True') included.set(cells[4], (included.get(cells[4]) || 0) + 1);
  }
  r.group_plots.forEach((g) => {
    assert.ok(g.cells > 0 && g.cells <= included.get(g.name), `${g.name}: ${g.cells} cells`);
    assert.equal(g.residuals, g.cells, g.name);
  });
  let values = await stats();
  const all = values['stats.residuals'][0];
  // Every group's residuals, and the one point of the zero line.
  assert.equal(all, residuals.reduce((a, b) => a + b, 0) + 1, 'residual points drawn');
  const lossPoints = values['stats.loss_tokens'][0];
  assert.ok(lossPoints > all, 'loss plot: cells and law curves');
  await screenshots('groups-plots-overlay');
  // Hiding group 0 takes exactly its points out of the residual plot, and some out of the loss plot.
  assert.equal(await page.evaluate(() => window.scalecalc.app.setGroupShown(0, false)), '');
  values = await stats();
  assert.equal(values['stats.residuals'][0], all - residuals[0]);
  assert.ok(values['stats.loss_tokens'][0] < lossPoints);
  assert.equal(await page.evaluate(() => window.scalecalc.app.setGroupShown(0, true)), '');
  values = await stats();
  assert.equal(values['stats.residuals'][0], all);
  assert.match(await page.evaluate(() => window.scalecalc.app.setGroupShown(8, false)), /no group 9/);
  // At phone size (the same page, narrower): one plot per row.
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshots('groups-plots-phone');
  await page.evaluate(() => window.scalecalc.app.selectPanel('fit'));
  await screenshots('groups-fit-phone');
  await page.setViewportSize({ width: 1600, height: 1000 });
  await frames(page, 4);
});

// Three small groups from a known law, so the analysis fits in a share link.
function smallGroupedCsv() {
  const lines = ['params,tokens,loss,lab'];
  [['north', 0.34, 0.28], ['south', 0.30, 0.32], ['west', 0.36, 0.26]].forEach(([lab, alpha, beta]) => {
    for (const n of [1e8, 3e8, 1e9]) {
      for (const d of [2e9, 6e9, 2e10, 6e10]) {
        lines.push(`${n},${d},${(1.7 + 400 * n ** -alpha + 410 * d ** -beta).toPrecision(8)},${lab}`);
      }
    }
  });
  return `${lines.join('\n')}\n`;
}

test('the planner\'s two compared groups travel in the share link, and bad numbers are named', async () => {
  assert.equal(await setOption('bootstrap', '0'), '');
  await paste(smallGroupedCsv());
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getResults()).data.runs === 36,
                             null, { timeout: 30000 });
  assert.equal(await setOption('group_column', 'lab'), '');
  assert.equal(await setOption('panel', 'planner'), '');
  assert.equal(await setOption('compare_group_first', '3'), '');
  assert.equal(await setOption('compare_group_second', '1'), '');
  let r = await results(page);
  assert.deepEqual(r.groups.map((g) => g.name), ['north', 'south', 'west']);
  assert.deepEqual([r.group_compare.first, r.group_compare.second, r.group_compare.message], [3, 1, '']);
  await screenshots('groups-planner-compare');
  // A number the data has not is refused where it is typed, naming the control.
  for (const [key, label] of [['compare_group_first', 'first group'], ['compare_group_second', 'second group']]) {
    for (const value of ['4', '0', '51', 'two']) {
      const message = await setOption(key, value);
      assert.ok(message.includes(label), `${key}=${value}: ${message}`);
      assert.ok(!message.includes('compare_group'), `${key}=${value}: ${message}`);
    }
  }
  // The address bar's link, once it has caught up with the state.
  let link = '';
  for (let i = 0; i < 40 && !link; ++i) {
    await page.waitForTimeout(250);
    const url = page.url();
    if (url.includes('#s1.') && url === page.url()) link = url;
  }
  assert.ok(link, 'the page wrote a share link');
  await page.waitForTimeout(600);  // the link follows the state after a short delay
  link = page.url();
  const fragment = link.slice(link.indexOf('#') + 1);
  // Move away, then open the link through the page's own decoder (as a fresh page does).
  assert.equal(await setOption('compare_group_first', '2'), '');
  assert.equal(await setOption('compare_group_second', '2'), '');
  const open = (text) => page.evaluate(async (f) => {
    const { decodeFragment } = await import('./share.js');
    const decoded = await decodeFragment(f);
    return decoded.ok ? window.scalecalc.app.loadStateBytes(decoded.bytes) : `decode: ${decoded.message}`;
  }, text);
  assert.equal(await open(fragment), '');
  await frames(page, 3);
  r = await results(page);
  assert.equal(r.options.group_column, 'lab');
  assert.deepEqual([r.group_compare.first, r.group_compare.second, r.group_compare.message], [3, 1, '']);
  // A state file whose numbers are past the data's groups opens, shows the nearest group, and says
  // so naming the control; one past any group count is refused, naming the control too.
  const state = JSON.parse(await page.evaluate(() => window.scalecalc.app.stateJson()));
  // (groups.shown: the headline group, version 4, issue 26: the first by default.)
  assert.deepEqual(state.groups, { compare_first: 3, compare_second: 1, shown: 1 });
  state.groups.compare_first = 9;
  assert.equal(await page.evaluate((text) => window.scalecalc.app.openFile('s.json', text),
                                   JSON.stringify(state)), '');
  await frames(page, 3);
  r = await results(page);
  assert.equal(r.group_compare.first, 3);
  assert.match(r.group_compare.message, /^first group: there is no group 9 \(lab has 3 groups\)/);
  await screenshots('groups-planner-clamped');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshots('groups-planner-clamped-phone');
  await page.setViewportSize({ width: 1600, height: 1000 });
  state.groups.compare_second = 1000;
  const refused = await page.evaluate((text) => window.scalecalc.app.openFile('s.json', text),
                                      JSON.stringify(state));
  assert.match(refused, /second group/);
  assert.ok(!/compare_group|compare_second/.test(refused), refused);
  assert.deepEqual(problems, []);
});
