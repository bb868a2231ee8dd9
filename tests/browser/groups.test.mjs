// Experiments side by side in the page (issue 10): paste the IsoFLOP collection, group it by
// `experiment`, and check the comparison table, the overlaid plots and the IsoFLOP plots through
// the test hook (getResults / setOption), with screenshots of the Fit and Plots panels.
// One page load for every check.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { frames, launch, openPage, screenshotPath, waitForApp } from './harness.mjs';

const dataDir = process.env.SCALECALC_EXTERNAL_DATA_DIR || path.resolve('../shared/data/external');
const isoPath = path.join(dataDir, 'isoflops_multi_source.csv');

let session;
before(async () => { session = await launch(); });
after(async () => { await session?.close(); });

async function results(page) {
  return JSON.parse(await page.evaluate(() => window.scalecalc.app.getResults()));
}


test('the IsoFLOP collection grouped by experiment: table, overlays, Approach 2', async (t) => {
  if (!fs.existsSync(isoPath)) {
    t.skip(`missing ${isoPath} (set SCALECALC_EXTERNAL_DATA_DIR)`);
    return;
  }
  const text = fs.readFileSync(isoPath, 'utf8');
  const { page, problems } = await openPage(session.browser, session.url, { width: 1600, height: 1000 });
  await waitForApp(page);
  // No bootstrap: the checks are on point fits, and the worker would only slow the page down.
  assert.equal(await page.evaluate(() => window.scalecalc.app.setOption('bootstrap', '0')), '');
  await page.evaluate((data) => {
    const transfer = new DataTransfer();
    transfer.setData('text/plain', data);
    document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true }));
  }, text);
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
