// Share links: the sender's analysis opens identically in a fresh browser context; broken links
// are refused with a message and the page falls back to its default state.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, openPage, results, screenshotPath, waitForApp, settledUrl } from './harness.mjs';

let session;
before(async () => { session = await launch(); });
after(async () => { await session?.close(); });

test('a shared link reproduces the fit and plan exactly, in a fresh context', async () => {
  const sender = await openPage(session.browser, session.url);
  await waitForApp(sender.page);
  const initial = await settledUrl(sender.page);
  for (const [name, value] of [['optimum', 'smooth'], ['exclude', '3,17-19'], ['budget', '3e21'],
                               ['compute', 'dit'], ['tolerance', '0.002'], ['compare', 'paper'],
                               ['bootstrap', '0'], ['panel', 'planner']]) {
    assert.equal(await sender.page.evaluate(([n, v]) => window.scalecalc.app.setOption(n, v), [name, value]), '');
  }
  // The cost panel's video and serving demand travel too, and the planner counts the same
  // inference FLOPs as the panel's row for its model.
  for (const [name, value] of [['frames', '33'], ['height_px', '480'], ['width_px', '848'],
                               ['text_tokens', '120']]) {
    assert.equal(await sender.page.evaluate(([n, v]) => window.scalecalc.app.setOption(n, v), [name, value]), '');
  }
  const planned = await results(sender.page);
  // 1 + (33 - 1) / 4 = 9 latent frames of 60 x 106 through patch 2: 9 x 30 x 53 tokens.
  assert.equal(planned.cost.video_tokens, 9 * 30 * 53);
  const optimumRow = planned.cost.rows.find((r) => r.label === 'compute-optimal (planner)');
  assert.ok(optimumRow, 'the planner model is a row of the cost panel');
  const perVideo = planned.plan.inference_flops_per_video;
  assert.ok(Math.abs(optimumRow.flops_per_video / perVideo - 1) < 1e-12,
            `cost panel ${optimumRow.flops_per_video} vs planner ${perVideo}`);
  for (const [name, value] of [['typed_shape', 'true'], ['shape_width', '1536'], ['shape_depth', '20'],
                               ['shape_heads', '12'], ['cross_attention', 'off']]) {
    assert.equal(await sender.page.evaluate(([n, v]) => window.scalecalc.app.setOption(n, v), [name, value]), '');
  }
  const sent = await results(sender.page);
  assert.deepEqual(sent.cost.rows.map((r) => r.label), ['typed in']);
  const link = await settledUrl(sender.page, initial);
  assert.ok(link.length <= 8000, `link length ${link.length}`);

  const receiverContext = await session.browser.newContext({ viewport: { width: 1280, height: 720 } });
  const receiver = await openPage(session.browser, link, { context: receiverContext });
  await waitForApp(receiver.page);
  const received = await results(receiver.page);
  assert.deepEqual(received.loss_law, sent.loss_law, 'loss law identical to the last bit');
  assert.deepEqual(received.lr_law, sent.lr_law);
  assert.deepEqual(received.plan, sent.plan);
  assert.deepEqual(received.excluded, [3, 17, 18, 19]);
  assert.equal(received.options.panel, 'planner');
  assert.equal(received.compare.preset, 'paper');
  assert.deepEqual(received.cost, sent.cost, 'the cost panel opens as it was sent');
  assert.equal(received.cost.shape_width, '1536');
  assert.equal(received.cost.cross_attention, false);
  await receiver.page.screenshot({ path: screenshotPath('shared-link-opened') });
  await receiver.page.evaluate(() => window.scalecalc.app.selectPanel('cost'));
  await receiver.page.waitForTimeout(500);
  await receiver.page.screenshot({ path: screenshotPath('shared-link-cost-panel') });
  assert.deepEqual(sender.problems, []);
  assert.deepEqual(receiver.problems, []);
});

test('a 100-run sweep fits in a link of at most 4,000 characters', async () => {
  const { page } = await openPage(session.browser, session.url);
  await waitForApp(page);
  const lines = ['params,tokens,lr,batch_tokens,loss'];
  for (const n of [1.7e7, 3.4e7, 6.8e7, 1.3e8]) {
    for (const t of [2e9, 4e9, 6e9, 8e9, 1.2e10]) {
      for (const lr of [1e-4, 2e-4, 3e-4, 4e-4, 6e-4]) {
        const loss = (0.49 + 8 * n ** -0.32 + 10 * t ** -0.27) * (1 + 0.004 * Math.log(lr / 2.5e-4) ** 2);
        lines.push(`${n},${t},${lr},163840,${loss.toFixed(6)}`);
      }
    }
  }
  assert.equal(lines.length, 101);
  const before = await settledUrl(page);
  await page.evaluate((text) => window.scalecalc.app.loadCsv(text, 'sweep100.csv'), lines.join('\n'));
  const link = await settledUrl(page, before);
  assert.ok(link.length <= 4000, `link length ${link.length}`);
});

test('broken links are refused with a message and the default state is shown', async () => {
  const { page: sender } = await openPage(session.browser, session.url);
  await waitForApp(sender);
  const good = (await settledUrl(sender)).split('#')[1];
  const bomb = await sender.evaluate(async () => {
    // 64 MiB of zeros, deflated: a few KB that would expand far past the cap.
    const stream = new Blob([new Uint8Array(64 << 20)]).stream().pipeThrough(new CompressionStream('deflate-raw'));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  });
  const cases = [
    ['truncated', good.slice(0, Math.floor(good.length / 2)), /could not be opened/],
    ['corrupted', good.slice(0, 20) + (good[20] === 'A' ? 'B' : 'A') + good.slice(21), /could not be opened/],
    ['unknown version', 's9.' + good.slice(3), /could not be opened/],
    ['not base64', 's1.!!!not*base64', /could not be opened/],
    ['oversized', 's1.' + 'A'.repeat(2_000_000), /could not be opened/],
    ['bomb', `s1.AAAAAA${bomb}`, /could not be opened/],
  ];
  for (const [name, fragment, pattern] of cases) {
    const context = await session.browser.newContext();
    const { page, problems } = await openPage(session.browser, `${session.url}#${fragment}`, { context });
    const started = Date.now();
    await waitForApp(page);
    assert.ok(Date.now() - started < 30000, `${name}: bounded time`);
    const error = await page.evaluate(() => window.scalecalc.app.getLoadError());
    assert.match(error, pattern, name);
    assert.match(error, /example is shown instead/, name);
    const r = await results(page);
    assert.equal(r.data.name, 'example_sweep.csv', `${name}: falls back to the example`);
    if (name === 'corrupted') await page.screenshot({ path: screenshotPath('broken-link') });
    assert.deepEqual(problems, [], name);
    await context.close();
  }
});

test('state text is never injected into the page as HTML', async () => {
  const { page, problems } = await openPage(session.browser, session.url);
  await waitForApp(page);
  await page.evaluate(() => window.scalecalc.app.loadCsv(
    'params,tokens,loss\n1e8,2e9,0.6\n2e8,4e9,0.55\n4e8,8e9,0.5\n', '<img src=x onerror="window.pwned=1">'));
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal(await page.evaluate(() => document.querySelectorAll('img').length), 0);
  assert.deepEqual(problems, []);
});

test('a state file restores the analysis by drop; a bad one is refused and changes nothing', async () => {
  const sender = await openPage(session.browser, session.url);
  await waitForApp(sender.page);
  await sender.page.evaluate(() => {
    window.scalecalc.app.setOption('bootstrap', '0');
    window.scalecalc.app.setOption('exclude', '5');
    window.scalecalc.app.setOption('budget', '2e22');
  });
  const sent = await results(sender.page);
  const file = await sender.page.evaluate(() => window.scalecalc.app.stateJson());

  const receiver = await openPage(session.browser, session.url);
  await waitForApp(receiver.page);
  const drop = (name, text) => receiver.page.evaluate(([n, t]) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([t], n, { type: 'application/json' }));
    document.getElementById('canvas').dispatchEvent(
      new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, [name, text]);
  await drop('scalecalc-state.json', file);
  await receiver.page.waitForFunction(() => JSON.parse(window.scalecalc.app.getResults()).plan?.flops === 2e22);
  const received = await results(receiver.page);
  assert.deepEqual(received.loss_law, sent.loss_law);
  assert.deepEqual(received.plan, sent.plan);

  for (const [name, text, pattern] of [
    ['truncated.json', file.slice(0, file.length / 2), /state file could not be opened/],
    ['wrong.json', file.replace('"scalecalc-state"', '"something-else"'), /state file could not be opened/],
    ['newer.json', file.replace(/"version": \d+/, '"version": 99'), /state file could not be opened/],
    ['nan.json', file.replace(/"budget_flops": [^,]+/, '"budget_flops": "NaN"'), /state file could not be opened/],
  ]) {
    await drop(name, text);
    await receiver.page.waitForFunction(() => window.scalecalc.app.getLoadError() !== '');
    assert.match(await receiver.page.evaluate(() => window.scalecalc.app.getLoadError()), pattern, name);
    assert.deepEqual((await results(receiver.page)).plan, sent.plan, `${name} changes nothing`);
    await receiver.page.evaluate(() => window.scalecalc.app.reportLoadError(''));
  }
  assert.deepEqual(receiver.problems, []);
});
