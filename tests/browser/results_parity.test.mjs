// The page's results file equals the CLI's (issue 24): for the example and for the IsoFLOP
// collection grouped by experiment, a page that opened a link gives the JSON that
// `scalecalc open <that link> --json` prints: the same keys, nulls, codes, statuses and
// terminations; numbers within 1e-9 relative (1e-12 absolute near zero); an interval's ends within
// 1e-3 of its width (native and wasm math libraries may differ in the last bits, and a resample
// can then settle elsewhere). The designer's narrowings are compared as the width ratios they are
// 1 minus (a linearised ratio near 1 loses digits to the subtraction). One sender page and one
// receiver page per case; the receiver's File > Download results (JSON) saves the same text.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { frames, launch, openPage, paste, setOption, settledUrl, waitForApp } from './harness.mjs';

const cli = process.env.SCALECALC_CLI || path.resolve('build/native/src/cli/scalecalc');
const dataDir = process.env.SCALECALC_EXTERNAL_DATA_DIR || path.resolve('../shared/data/external');
const isoPath = path.join(dataDir, 'isoflops_multi_source.csv');

let session;
before(async () => { session = await launch(); });
after(async () => { await session?.close(); });

// Where `page` and `cli` differ, as "path: page X, cli Y" lines. `width`: the interval whose end
// this number is (its tolerance), else null.
function differences(page, cli, where = '', width = null, out = []) {
  const show = (v) => JSON.stringify(v)?.slice(0, 120);
  const differ = () => out.push(`${where || '(top)'}: page ${show(page)}, cli ${show(cli)}`);
  if (out.length >= 20) return out;
  if (cli === null || page === null || typeof cli !== typeof page) {
    if (cli !== page) differ();
  } else if (Array.isArray(cli)) {
    if (!Array.isArray(page) || page.length !== cli.length) return differ(), out;
    const interval = /ci95/.test(where) && cli.length === 2 && cli.every((x) => typeof x === 'number');
    const span = interval ? Math.abs(cli[1] - cli[0]) : null;
    cli.forEach((v, i) => differences(page[i], v, `${where}[${i}]`, span, out));
  } else if (typeof cli === 'object') {
    const keys = Object.keys(cli).sort(), pageKeys = Object.keys(page).sort();
    if (keys.join() !== pageKeys.join()) {
      out.push(`${where}: keys page [${pageKeys}], cli [${keys}]`);
      return out;
    }
    for (const k of keys) differences(page[k], cli[k], where ? `${where}.${k}` : k, null, out);
  } else if (typeof cli === 'number') {
    // A narrowing is 1 - (new width / current width): compared as that ratio.
    const [a, b] = /narrowing$/.test(where) ? [1 - page, 1 - cli] : [page, cli];
    const tolerance = width !== null ? 1e-3 * width + 1e-12 : Math.max(1e-12, 1e-9 * Math.abs(b));
    if (!(Math.abs(a - b) <= tolerance)) differ();
  } else if (page !== cli) {
    differ();
  }
  return out;
}

// The receiver: a fresh context opens `link`, waits for every bootstrap job, and returns its
// results file; the CLI opens the same link.
async function compareWithCli(link, name) {
  const context = await session.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const { page, problems } = await openPage(session.browser, link, { context });
  await waitForApp(page);
  let settled = 0;
  await page.waitForFunction(() => {
    const r = JSON.parse(window.scalecalc.app.getResults());
    return !r.bootstrap.running && r.bootstrap.samples > 0;
  }, null, { timeout: 240000, polling: 250 });
  // Between a group's job and the next the pool is briefly idle: settled when it stays so.
  while (settled < 3) {
    await page.waitForTimeout(300);
    const r = JSON.parse(await page.evaluate(() => window.scalecalc.app.getResults()));
    settled = r.bootstrap.running ? 0 : settled + 1;
  }
  const text = await page.evaluate(() => window.scalecalc.app.resultsJson());
  // File > Download results (JSON) saves the same text.
  const rectOf = async (name) => JSON.parse(await page.evaluate(() => window.scalecalc.app.layoutRects()))
    .rects.find((r) => r.name === name);
  const click = async (r) => page.mouse.click(r.x + r.w / 2, r.y + r.h / 2);
  await click(await rectOf('header.file'));
  await frames(page, 3);
  const item = await rectOf('menu.results');
  assert.ok(item, 'the File menu shows Download results (JSON)');
  const [download] = await Promise.all([page.waitForEvent('download'), click(item)]);
  assert.equal(download.suggestedFilename(), 'scalecalc-results.json');
  assert.equal(fs.readFileSync(await download.path(), 'utf8'), text);
  const fromPage = JSON.parse(text);
  await context.close();
  const started = Date.now();
  const fromCli = JSON.parse(execFileSync(cli, ['open', link, '--json'],
                                          { maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] }));
  console.log(`# ${name}: link ${link.length} characters, CLI ${Date.now() - started} ms`);
  assert.deepEqual(problems, []);
  return { fromPage, fromCli };
}

test('the example: the page that opened its link and scalecalc open give the same results', async () => {
  assert.ok(fs.existsSync(cli), `build the native CLI first (${cli})`);
  const { page } = await openPage(session.browser, session.url);
  await waitForApp(page);
  assert.equal(await setOption(page, 'bootstrap', '100'), '');
  const link = await settledUrl(page);
  const { fromPage, fromCli } = await compareWithCli(link, 'example');
  assert.equal(fromCli.status, 'ok');
  assert.ok(fromCli.bootstrap_samples > 50, `${fromCli.bootstrap_samples} resamples kept`);
  assert.ok(fromCli.plan.ok && fromCli.design.ok);
  assert.deepEqual(differences(fromPage, fromCli), []);
});

test('the IsoFLOP collection grouped by experiment: the same results from page and CLI', async (t) => {
  if (!fs.existsSync(isoPath)) {
    t.skip(`missing ${isoPath} (set SCALECALC_EXTERNAL_DATA_DIR)`);
    return;
  }
  const { page } = await openPage(session.browser, session.url);
  await waitForApp(page);
  assert.equal(await setOption(page, 'bootstrap', '20'), '');
  const before = await settledUrl(page);
  await paste(page, fs.readFileSync(isoPath, 'utf8'));
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getResults()).data.runs === 947,
                             null, { timeout: 30000 });
  const pasted = await settledUrl(page, before);
  assert.equal(await setOption(page, 'group_column', 'experiment'), '');
  const link = await settledUrl(page, pasted);
  const { fromPage, fromCli } = await compareWithCli(link, 'IsoFLOP grouped');
  assert.equal(fromCli.group_by, 'experiment');
  assert.equal(fromCli.groups.length, 8);
  assert.equal(fromCli.headline_group, 1);
  assert.ok(fromCli.groups.some((g) => g.bootstrap_samples > 0), 'the groups have their resamples');
  assert.deepEqual(differences(fromPage, fromCli), []);
});
