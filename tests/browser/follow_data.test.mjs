// Plots follow the data (issue 26): each public file pasted over the example with the Plots panel
// open draws every plot exactly as the same analysis opened fresh from its own link (same view
// ranges, same points drawn, same pixels), once both bootstraps have ended; and the planner's batch
// in samples times the one tokens per sample is its batch in tokens, for these files and every
// built-in example (Step Law: samples of 2048 tokens). One sender page for every case; one
// receiver page per link.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { frames, launch, openPage, paste, results, screenshotPath, settledUrl, setOption,
         waitForApp } from './harness.mjs';

const dataDir = process.env.SCALECALC_EXTERNAL_DATA_DIR || path.resolve('../shared/data/external');
const haveData = fs.existsSync(path.join(dataDir, 'steplaw_dense_lr_bs_loss.csv'));
const viewport = { width: 1440, height: 900 };

let session, sender;
before(async () => {
  session = await launch();
  sender = await openPage(session.browser, session.url, viewport);
  await waitForApp(sender.page);
});
after(async () => { await session?.close(); });

const layout = async (page) => JSON.parse(await page.evaluate(() => window.scalecalc.app.layoutRects()));
async function bootstrapSettled(page) {
  await page.waitForFunction(() => {
    const r = JSON.parse(window.scalecalc.app.getResults());
    return !r.bootstrap.running;
  }, null, { timeout: 240000, polling: 250 });
}

// Every plot's view, points drawn and pixels, as the page draws them now.
async function plotsOf(page) {
  await frames(page, 6);
  const l = await layout(page);
  const plots = {};
  for (const r of l.rects.filter((x) => x.name.startsWith('plot.'))) {
    const name = r.name.slice('plot.'.length);
    const inside = r.y >= 0 && r.y + r.h <= viewport.height && r.w > 0;
    plots[name] = {
      view: l.values[`view.${name}`],
      stats: l.values[`stats.${name}`],
      pixels: inside ? await page.screenshot({ clip: { x: r.x, y: r.y, width: r.w, height: r.h } }) : null,
    };
  }
  return plots;
}

// The planner's batch: samples x tokens per sample = batch tokens, and the table says so in the
// model kind's word (videos or sequences).
function checkSamples(r, what) {
  const p = r.plan;
  if (!p || !p.ok || !Number.isFinite(p.batch_tokens)) return;
  const product = p.batch_samples * p.tokens_per_sample;
  assert.ok(Math.abs(product / p.batch_tokens - 1) < 1e-12,
            `${what}: ${p.batch_samples} samples x ${p.tokens_per_sample} != ${p.batch_tokens} tokens`);
  const word = r.model_kind === 'video' ? 'videos' : 'sequences';
  const row = r.plan_rows.find(([q]) => q.startsWith(`batch size (${word}`));
  assert.ok(row && row[0].includes(`${word} of ${p.tokens_per_sample} tokens`),
            `${what}: the planner's samples row names its tokens per sample: ${row}`);
}

const cases = [
  { file: 'chinchilla_epoch_svg_extracted.csv', options: [] },
  { file: 'steplaw_dense_lr_bs_loss.csv',
    options: [['tokens_per_sample', '2048'], ['batch_column', 'samples']] },
  { file: 'isoflops_multi_source.csv', options: [] },
  { file: 'isoflops_multi_source.csv', options: [['group_column', 'experiment']], grouped: true },
];

for (const c of cases) {
  const name = `${c.file.replace('.csv', '')}${c.grouped ? '-grouped' : ''}`;
  test(`pasted over the example with the Plots panel open, ${name} plots as its link does`, async (t) => {
    if (!haveData) {
      t.skip(`missing ${dataDir} (set SCALECALC_EXTERNAL_DATA_DIR)`);
      return;
    }
    const { page } = sender;
    const text = fs.readFileSync(path.join(dataDir, c.file), 'utf8');
    assert.equal(await setOption(page, 'panel', 'plots'), '');
    assert.equal(await setOption(page, 'bootstrap', '16'), '');  // both ends: quick, and the same
    await bootstrapSettled(page);
    await frames(page, 4);
    const previous = page.url();
    await paste(page, text);
    await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getResults()).data.name === 'pasted data',
                               null, { timeout: 30000 });
    assert.equal(await setOption(page, 'panel', 'plots'), '');  // a paste opens the Data panel
    for (const [option, value] of c.options) assert.equal(await setOption(page, option, value), '');
    await frames(page, 3);
    await bootstrapSettled(page);
    const sent = await results(page);
    if (c.grouped) assert.match(sent.headline, /^group .* \(1 of \d+\)$/, 'grouped: the first group');
    else assert.equal(sent.headline, '');
    checkSamples(sent, name);
    assert.equal(sent.model_kind, 'language', `${name}: a language model's file, guessed`);
    assert.equal(sent.cost.per, 'sequence');
    if (c.file.startsWith('steplaw')) assert.equal(sent.plan.tokens_per_sample, 2048);
    const link = await settledUrl(page, previous);
    const pasted = await plotsOf(page);
    await page.screenshot({ path: screenshotPath(`follow-${name}-pasted`) });

    const receiver = await openPage(session.browser, link, viewport);
    try {
      await waitForApp(receiver.page);
      await bootstrapSettled(receiver.page);
      const opened = await plotsOf(receiver.page);
      await receiver.page.screenshot({ path: screenshotPath(`follow-${name}-link`) });
      const got = await results(receiver.page);
      assert.equal(got.headline, sent.headline);
      assert.equal(got.model_kind, sent.model_kind, 'the receiver guesses what the sender did');
      assert.deepEqual(Object.keys(opened).sort(), Object.keys(pasted).sort(), 'the same plots');
      assert.ok(Object.keys(pasted).length >= 3, `plots recorded: ${Object.keys(pasted)}`);
      for (const [plot, p] of Object.entries(pasted)) {
        const o = opened[plot];
        for (let i = 0; i < 4; ++i) {
          const a = p.view[i], b = o.view[i];
          assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)),
                    `${name} ${plot}: pasted view ${p.view} vs link ${o.view}`);
        }
        assert.deepEqual(p.stats, o.stats, `${name} ${plot}: points drawn`);
        if (p.pixels && o.pixels) {
          assert.ok(p.pixels.equals(o.pixels), `${name} ${plot}: the plot regions differ`);
        }
      }
      assert.deepEqual(receiver.problems, []);
    } finally {
      await receiver.page.context().close();
    }
    assert.deepEqual(sender.problems, []);
  });
}

// The planner and the cost panel speak of the model kind, and show the video inputs for video only;
// screenshots at desktop and phone size (the same page, resized).
async function lookAtPlannerAndCost(page, video) {
  const kind = video ? 'video' : 'language';
  for (const [size, tag] of [[viewport, 'desktop'], [{ width: 390, height: 844 }, 'phone']]) {
    await page.setViewportSize(size);
    for (const panel of ['planner', 'cost']) {
      assert.equal(await setOption(page, 'panel', panel), '');
      await frames(page, 6);
      const names = (await layout(page)).rects.map((x) => x.name);
      assert.ok(names.includes(`model_kind.${panel}`), `${kind} ${panel}: the model kind selector`);
      const frames_field = names.includes('field.frames');
      if (panel === 'cost') assert.equal(frames_field, video, `${kind}: frames shown for video only`);
      await page.screenshot({ path: screenshotPath(`kind-${kind}-${panel}-${tag}`) });
    }
  }
  await page.setViewportSize(viewport);
  const r = await results(page);
  assert.equal(r.cost.per, video ? 'video' : 'sequence');
  // The choice wins over the guess, and goes back to it.
  assert.equal(await setOption(page, 'model_kind', video ? 'language' : 'video'), '');
  await frames(page, 3);
  assert.equal((await results(page)).model_kind, video ? 'language' : 'video');
  assert.match(await setOption(page, 'model_kind', 'cartoon'), /model kind/);
  assert.equal(await setOption(page, 'model_kind', 'guess'), '');
  await frames(page, 3);
}

test('every built-in example: samples x tokens per sample = batch tokens; Step Law reads samples of 2048', async () => {
  const { page } = sender;
  const examples = ['assets/example_sweep.csv', 'data/chinchilla_epoch_svg_extracted.csv',
                    'data/steplaw_dense_lr_bs_loss.csv', 'data/isoflops_multi_source.csv'];
  assert.equal(await setOption(page, 'bootstrap', '0'), '');
  for (let i = 0; i < examples.length; ++i) {
    const error = await page.evaluate(async ([index, file]) => {
      const text = await (await fetch(file)).text();
      return window.scalecalc.app.onExampleText(index, text);
    }, [i, examples[i]]);
    assert.equal(error, '', examples[i]);
    await frames(page, 3);
    const r = await results(page);
    assert.equal(r.data.name, path.basename(examples[i]));
    checkSamples(r, examples[i]);
    const video = examples[i].includes('example_sweep');
    assert.equal(r.model_kind, video ? 'video' : 'language', examples[i]);
    assert.equal(r.options.model_kind, 'guess');
    if (i <= 1) await lookAtPlannerAndCost(page, video);  // one of each kind
    if (examples[i].includes('steplaw')) {
      assert.equal(r.plan.tokens_per_sample, 2048);
      assert.equal(r.options.batch_column, 'samples', 'bs counts sequences of 2048 tokens');
      // Read as tokens, bs looks like samples: the Data panel asks, beside the mapping.
      assert.equal(await setOption(page, 'panel', 'data'), '');
      assert.equal(await setOption(page, 'batch_column', 'tokens'), '');
      await frames(page, 4);
      const asked = (await layout(page)).rects.find((x) => x.name === 'batch_prompt');
      assert.ok(asked, 'the batch-looks-like-samples question is shown');
      await page.screenshot({ path: screenshotPath('data-batch-prompt') });
      assert.equal(await setOption(page, 'batch_column', 'samples'), '');
      await frames(page, 4);
      assert.ok(!(await layout(page)).rects.find((x) => x.name === 'batch_prompt'), 'and goes');
    }
  }
  assert.deepEqual(sender.problems, []);
});
