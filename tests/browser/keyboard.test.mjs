// The keyboard and short presses (issue 26): Tab reaches the panel tabs and the arrow keys move
// between them (every panel, keyboard only); Escape closes a menu; at a slowed frame rate a key
// press and a tap shorter than one frame still count (the platform queues their edges). One
// desktop and one phone page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { frames, launch, openPage, results, screenshotPath, waitForApp } from './harness.mjs';

let session, desktop, phone;
before(async () => {
  session = await launch();
  desktop = await openPage(session.browser, session.url, { width: 1280, height: 800 });
  const phoneContext = await session.browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, hasTouch: true, isMobile: true,
  });
  phone = await openPage(session.browser, session.url, { context: phoneContext });
  await Promise.all([waitForApp(desktop.page), waitForApp(phone.page)]);
});
after(async () => { await session?.close(); });

const layout = async (page) => JSON.parse(await page.evaluate(() => window.scalecalc.app.layoutRects()));
const rect = (l, name) => l.rects.find((r) => r.name === name);
const centre = (r) => ({ x: r.x + r.w / 2, y: r.y + r.h / 2 });
// A key held for a few frames, as a person presses it (the slowed test below presses it for less
// than one).
async function press(page, key) {
  await page.keyboard.down(key);
  await frames(page, 2);
  await page.keyboard.up(key);
  await frames(page, 2);
}
// Every frame takes at least `ms` (a busy animation frame): a slow phone, a busy laptop.
const slowFrames = (page, ms) => page.evaluate((wait) => {
  window.__slow = wait;
  const spin = () => {
    const end = performance.now() + window.__slow;
    while (performance.now() < end) { /* busy */ }
    if (window.__slow > 0) requestAnimationFrame(spin);
  };
  requestAnimationFrame(spin);
}, ms);

test('keyboard only: Tab reaches the panel tabs, the arrows reach every panel, Escape closes a menu', async () => {
  const { page, problems } = desktop;
  await page.mouse.move(640, 790);  // out of the way, over nothing
  await frames(page, 2);
  assert.equal((await results(page)).options.panel, 'data');
  await press(page, 'Tab');
  let l = await layout(page);
  assert.equal(l.values.tabs_focused[0], 1, 'Tab with no field being typed in focuses the tabs');
  assert.ok(rect(l, 'tabs.focus'), 'the open tab is ringed');
  const order = ['fit', 'plots', 'planner', 'cost', 'data'];
  for (const panel of order) {
    await press(page, 'ArrowRight');
    assert.equal((await results(page)).options.panel, panel, 'ArrowRight');
    await frames(page, 2);
    assert.ok(rect(await layout(page), `tab.${panel}`), `${panel} drawn`);
  }
  await press(page, 'ArrowLeft');
  assert.equal((await results(page)).options.panel, 'cost', 'ArrowLeft wraps around');
  await press(page, 'ArrowRight');
  await press(page, 'ArrowRight');
  await press(page, 'ArrowRight');
  await press(page, 'ArrowRight');
  assert.equal((await results(page)).options.panel, 'planner');
  // Tab goes on into the panel: its first field, the budget; a typed budget is planned.
  await press(page, 'Tab');
  l = await layout(page);
  assert.equal(l.values.tabs_focused[0], 0);
  assert.ok(rect(l, 'active.field.budget'), 'Tab from the tabs lands on the budget');
  await page.keyboard.down('Control');
  await press(page, 'a');
  await page.keyboard.up('Control');
  await page.keyboard.type('2e23');
  await press(page, 'Enter');
  assert.equal((await results(page)).plan.flops, 2e23);

  // Escape closes a menu opened with the mouse.
  const file = rect(await layout(page), 'header.file');
  await page.mouse.click(centre(file).x, centre(file).y);
  await frames(page, 3);
  assert.equal((await layout(page)).values.popup_open[0], 1, 'the File menu is open');
  await press(page, 'Escape');
  assert.equal((await layout(page)).values.popup_open[0], 0, 'Escape closed it');
  await page.screenshot({ path: screenshotPath('keyboard-planner') });
  assert.deepEqual(problems, []);
});

test('at a slowed frame rate, a key press and a tap shorter than one frame are not lost', async () => {
  const { page } = desktop;
  await page.evaluate(() => window.scalecalc.app.selectPanel('planner'));
  await frames(page, 3);
  const budget = rect(await layout(page), 'field.budget') ?? rect(await layout(page), 'active.field.budget');
  assert.ok(budget, 'the budget field is on screen');
  await page.mouse.click(centre(budget).x, centre(budget).y);
  await frames(page, 3);
  await page.keyboard.down('Control');
  await press(page, 'a');
  await page.keyboard.up('Control');
  await page.keyboard.type('4e23');
  await slowFrames(page, 400);
  await frames(page, 2);
  // Enter down and up in one task: both between two frames.
  await page.evaluate(() => {
    for (const type of ['keydown', 'keyup']) {
      const event = new KeyboardEvent(type, { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true });
      Object.defineProperty(event, 'keyCode', { get: () => 13 });
      Object.defineProperty(event, 'which', { get: () => 13 });
      window.dispatchEvent(event);
    }
  });
  await frames(page, 4);
  assert.equal((await results(page)).plan.flops, 4e23, 'the quick Enter committed the field');
  await slowFrames(page, 0);

  // The phone: a tap on the Fit tab, down and up between two slow frames.
  const p = phone.page;
  await frames(p, 2);
  const tab = rect(await layout(p), 'tab.fit');
  assert.ok(tab, 'the Fit tab is recorded');
  await slowFrames(p, 400);
  await frames(p, 2);
  const cdp = await p.context().newCDPSession(p);
  const at = centre(tab);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: at.x, y: at.y }] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
  await frames(p, 5);
  assert.equal((await results(p)).options.panel, 'fit', 'the quick tap opened the Fit panel');
  await slowFrames(p, 0);
  await p.screenshot({ path: screenshotPath('phone-quick-tap'), scale: 'css' });
});
