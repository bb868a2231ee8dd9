// Share links that carry real analyses (issue 27): each public file pasted as a user would, Copy
// link pressed, the copied link opened in a fresh context; its laws, plan and groups equal the
// sender's and its length is within the bound. Then what opening a link says, an old version's
// link upgraded, a damaged version-4 table refused, and a notice that outlived its data. One
// sender page for everything.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { frames, launch, openPage, paste, results, screenshotPath, setOption, waitForApp } from './harness.mjs';

const dataDir = process.env.SCALECALC_EXTERNAL_DATA_DIR || path.resolve('../shared/data/external');
const fixtures = new URL('../core/fixtures/', import.meta.url);

let session;
let sender;  // {page, problems, context}
before(async () => {
  session = await launch();
  const context = await session.browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: session.url });
  sender = await openPage(session.browser, session.url, { context });
  await waitForApp(sender.page);
});
after(async () => { await session?.close(); });

const notice = (page) => page.evaluate(() => window.scalecalc.app.getNotice());


// Presses the header's Copy link button and returns what reached the clipboard.
async function copyLink(page) {
  await page.evaluate(() => navigator.clipboard.writeText(''));
  const rects = JSON.parse(await page.evaluate(() => window.scalecalc.app.layoutRects())).rects;
  const button = rects.find((r) => r.name === 'header.copy_link');
  assert.ok(button, 'Copy link is drawn');
  await page.mouse.click(button.x + button.w / 2, button.y + button.h / 2);
  for (let i = 0; i < 150; ++i) {
    const text = await page.evaluate(() => navigator.clipboard.readText());
    if (text.includes('#s1.')) return text;
    await page.waitForTimeout(200);
  }
  throw new Error(`nothing was copied; the notice: ${JSON.stringify(await notice(page))}`);
}

async function openInFreshContext(link) {
  const context = await session.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const receiver = await openPage(session.browser, link, { context });
  await waitForApp(receiver.page);
  return receiver;
}

const cases = [
  { file: 'steplaw_dense_lr_bs_loss.csv', runs: 1911, options: [['batch_tokens_per_sample', '2048']],
    bound: 16000 },
  { file: 'isoflops_multi_source.csv', runs: 947, options: [['group_column', 'experiment']],
    bound: 20000, groups: 8 },
  { file: 'chinchilla_epoch_svg_extracted.csv', runs: 245, options: [], bound: 16000 },
];

for (const c of cases) {
  test(`${c.file}: the copied link opens the same laws, plan and groups`, async (t) => {
    const file = path.join(dataDir, c.file);
    if (!fs.existsSync(file)) {
      t.skip(`missing ${file} (set SCALECALC_EXTERNAL_DATA_DIR)`);
      return;
    }
    const { page } = sender;
    assert.equal(await setOption(page, 'bootstrap', '0'), '');  // point fits: equal to the bit
    await paste(page, fs.readFileSync(file, 'utf8'));
    await page.waitForFunction((n) => JSON.parse(window.scalecalc.app.getResults()).data.runs === n,
                               c.runs, { timeout: 60000 });
    for (const [name, value] of c.options) assert.equal(await setOption(page, name, value), '');
    await frames(page, 3);
    const sent = await results(page);
    assert.ok(sent.loss_law, 'the sender has a fit');
    if (c.groups) assert.equal(sent.groups.length, c.groups);

    const link = await copyLink(page);
    const fragment = link.split('#')[1];
    assert.ok(fragment.length <= c.bound, `${c.file}: link of ${fragment.length} characters`);
    const copied = await notice(page);
    assert.match(copied.text, /^Link copied/);
    if (link.length > 16000) {
      // Copied all the same; the note says why it might not arrive whole, in the caution colour.
      assert.equal(copied.level, 1, JSON.stringify(copied));
      assert.match(copied.text, /chat tools/);
      assert.equal(copied.offersStateFile, true);
      await frames(page, 2);
      await page.screenshot({ path: screenshotPath('share-long-link-notice') });
    } else {
      assert.equal(copied.level, 0, JSON.stringify(copied));
    }

    const receiver = await openInFreshContext(link);
    await receiver.page.waitForFunction((n) => JSON.parse(window.scalecalc.app.getResults()).data.runs === n,
                                        c.runs, { timeout: 60000 });
    const received = await results(receiver.page);
    assert.deepEqual(received.loss_law, sent.loss_law, 'loss law identical to the last bit');
    assert.deepEqual(received.lr_law, sent.lr_law);
    assert.deepEqual(received.batch_law, sent.batch_law);
    assert.deepEqual(received.plan, sent.plan);
    assert.deepEqual(received.groups, sent.groups);
    assert.deepEqual(received.excluded, sent.excluded);
    assert.deepEqual(received.input, sent.input, 'the same columns, flags and messages');
    const opened = await notice(receiver.page);
    assert.match(opened.text, new RegExp(`^Opened a shared link: pasted data, ${c.runs} runs`));
    if (c.groups) assert.match(opened.text, new RegExp(`${c.groups} groups by 'experiment'`));
    assert.equal(opened.level, 0);
    if (c.groups) await receiver.page.screenshot({ path: screenshotPath('shared-public-link-opened') });
    assert.deepEqual(receiver.problems, []);
    await receiver.context.close();
  });
}

test('a version-3 link opens and says it was upgraded', async () => {
  const fragment = fs.readFileSync(new URL('state_v3.fragment.txt', fixtures), 'utf8').trim();
  const receiver = await openInFreshContext(`${session.url}#${fragment}`);
  const r = await results(receiver.page);
  assert.equal(r.data.name, 'fixture_v3.csv');
  const opened = await notice(receiver.page);
  assert.match(opened.text, /^Opened a shared link: fixture_v3\.csv, 3 runs/);
  assert.match(opened.text, /link format version 3\), upgraded to version 4/);
  assert.deepEqual(receiver.problems, []);
  await receiver.context.close();
});

test('a link with bootstrap intervals recomputes them, in view, to the same values', async () => {
  const { page } = sender;  // Epoch's Chinchilla extraction, from the last case
  assert.equal(await setOption(page, 'bootstrap', '40'), '');
  const done = (p) => p.waitForFunction(() => {
    const r = JSON.parse(window.scalecalc.app.getResults());
    return !r.bootstrap.running && r.bootstrap.samples === 40;
  }, null, { timeout: 120000, polling: 250 });
  await done(page);
  const sent = await results(page);
  await frames(page, 3);
  const link = await copyLink(page);
  const receiver = await openInFreshContext(link);
  const opened = await notice(receiver.page);
  assert.match(opened.text, /bootstrap intervals are recomputed here/);
  await done(receiver.page);
  const received = await results(receiver.page);
  assert.deepEqual(received.loss_law, sent.loss_law, 'the same intervals, resample for resample');
  assert.deepEqual(received.plan, sent.plan);
  assert.deepEqual(receiver.problems, []);
  await receiver.context.close();
});

test('a damaged version-4 table is refused with a reason; the example is shown', async () => {
  const { page } = sender;
  // A well-formed fragment (checksum and deflate intact) around state bytes whose table is cut.
  const damaged = await page.evaluate(async () => {
    const share = await import('./share.js');
    const decoded = await share.decodeFragment(window.location.hash);
    const bytes = decoded.bytes;
    if (bytes[2] !== 4 || bytes[3] !== 1) return `not a version-4 table (${bytes[2]}, ${bytes[3]})`;
    bytes[5] ^= 0x40;  // inside the table's length or its first bytes
    return share.encodeFragment(bytes);
  });
  assert.match(damaged, /^s1\./, damaged);
  const receiver = await openInFreshContext(`${session.url}#${damaged}`);
  const error = await receiver.page.evaluate(() => window.scalecalc.app.getLoadError());
  assert.match(error, /^This link could not be opened: the link is (damaged|truncated)/);
  assert.match(error, /example is shown instead/);
  assert.equal((await results(receiver.page)).data.name, 'example_sweep.csv');
  assert.deepEqual(receiver.problems, []);
  await receiver.context.close();
});

test('a notice about the previous data does not outlive the next load', async () => {
  const { page } = sender;
  await page.evaluate(() => window.scalecalc.app.shareNotice('Link copied (1 characters)', 0, false,
                                                            -1));  // about data long gone
  assert.notEqual((await notice(page)).text, 'Link copied (1 characters)');
  await page.evaluate(() => window.scalecalc.app.setProblemNotice('The browser did not allow copying.'));
  assert.equal((await notice(page)).level, 2);
  await paste(page, 'params,tokens,loss\n1e8,2e9,3.1\n2e8,4e9,2.9\n4e8,8e9,2.7\n8e8,1.6e10,2.6\n');
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getResults()).data.runs === 4);
  assert.equal((await notice(page)).text, 'Pasted data loaded');
  await page.screenshot({ path: screenshotPath('share-notice-after-load') });
  assert.deepEqual(sender.problems, []);
});
