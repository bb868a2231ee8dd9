// The calculator on a phone (390 x 844 CSS px, ratio 3, touch) and on a desktop (1280 x 800),
// each loaded once and every check run on them: a screenshot of every panel, no overlapping
// header widgets, full-width plots on the phone, touch drag scrolling the Data table and (over
// a plot) the panel, two fingers pinch-zooming and panning a plot, Tab reaching the budget field, Copy on the planner table, and a plot's PNG at
// the device's resolution. Positions come from the app's layoutRects() test hook (CSS px).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { frames, launch, openPage, screenshotPath, waitForApp } from './harness.mjs';

let session, phone, desktop;
before(async () => {
  session = await launch();
  const phoneContext = await session.browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, hasTouch: true, isMobile: true,
  });
  const desktopContext = await session.browser.newContext({
    viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1,
  });
  await desktopContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: session.url });
  phone = await openPage(session.browser, session.url, { context: phoneContext });
  desktop = await openPage(session.browser, session.url, { context: desktopContext });
  await Promise.all([waitForApp(phone.page), waitForApp(desktop.page)]);
});
after(async () => { await session?.close(); });

async function layout(page) {
  return JSON.parse(await page.evaluate(() => window.scalecalc.app.layoutRects()));
}
async function select(page, panel) {
  await page.evaluate((p) => window.scalecalc.app.selectPanel(p), panel);
  await frames(page, 2);
}
const rect = (l, name) => l.rects.find((r) => r.name === name);
const centre = (r) => ({ x: r.x + r.w / 2, y: r.y + r.h / 2 });
const overlaps = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

test('every panel at both sizes; the header does not overlap; phone plots take the width', async () => {
  for (const [name, { page }] of [['phone', phone], ['desktop', desktop]]) {
    for (const panel of ['data', 'fit', 'plots', 'planner', 'cost']) {
      await select(page, panel);
      // CSS-pixel screenshots: a third of the phone's pixels to encode, still readable.
      await page.screenshot({ path: screenshotPath(`${name}-${panel}`), scale: 'css' });
      const l = await layout(page);
      assert.equal(l.mode, name, 'the layout follows the width');
      const header = l.rects.filter((r) => r.name.startsWith('header.'));
      assert.ok(header.length >= 3, JSON.stringify(header));
      const viewport = page.viewportSize();
      for (const a of header) {
        assert.ok(a.x >= 0 && a.x + a.w <= viewport.width + 0.5, `${a.name} inside the window`);
        for (const b of header) {
          if (a !== b) assert.ok(!overlaps(a, b), `${a.name} overlaps ${b.name} (${panel})`);
        }
      }
      if (panel === 'plots') {
        const plots = l.rects.filter((r) => r.name.startsWith('plot.'));
        const content = rect(l, 'content');
        assert.ok(plots.length >= 3, 'plots recorded');
        for (const p of plots) {
          if (name === 'phone') {
            assert.ok(p.w >= 0.9 * content.w, `${p.name}: ${p.w} of ${content.w} px`);
          }
          for (const q of plots) if (p !== q) assert.ok(!overlaps(p, q), `${p.name} / ${q.name}`);
        }
      }
    }
  }
  assert.deepEqual(phone.problems, []);
  assert.deepEqual(desktop.problems, []);
});

// Touches go through the DevTools protocol, as a real touchscreen delivers them.
// `frameEach`: a frame after each step (false: a quick swipe, within a long press's 450 ms
// however slow the frames are here).
async function touch(page, steps, frameEach = true) {
  const cdp = await page.context().newCDPSession(page);
  for (const [type, points] of steps) {
    await cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points });
    if (frameEach) await frames(page, 1);
  }
  await cdp.detach();
}

// The layout once `name`'s rectangle has stopped moving (a glide after the finger lifts ends at
// a speed that depends on the frame rate, so a fixed wait may read it mid-glide), within 3 s.
async function settled(page, name) {
  let last = null;
  for (const end = Date.now() + 3000; Date.now() < end;) {
    await frames(page, 3);
    const l = await layout(page);
    const r = rect(l, name);
    if (r && last && r.y === last.y) return l;
    last = r;
  }
  return layout(page);
}

test('on the phone, one finger scrolls (the Data table, the panel over a plot), two pinch and pan a plot', async () => {
  const { page } = phone;
  await select(page, 'data');
  let l = await layout(page);
  const table = rect(l, 'table.runs');
  assert.ok(table, 'the runs table is on screen');
  assert.equal(l.values['scroll.runs'][1], 0);
  // A drag that stays on the table (the wheel ImGui is given goes to the window under the finger,
  // so the part of a drag past the table's edge scrolls the panel instead).
  // The table's rectangle runs on below the panel's visible area: drag on its visible part.
  const content = rect(l, 'content');
  const bottom = Math.min(table.y + table.h, content.y + content.h);
  const x = table.x + table.w / 2, y0 = bottom - 10;
  const travel = (bottom - table.y) * 0.6, steps = 4;
  const drag = [['touchStart', [{ x, y: y0 }]]];
  for (let i = 1; i <= steps; ++i) drag.push(['touchMove', [{ x, y: y0 - (i * travel) / steps }]]);
  drag.push(['touchEnd', []]);
  await touch(page, drag);
  await frames(page, 3);
  l = await layout(page);
  // The finger moved `travel` px up: the table scrolled down by about that much (momentum may
  // add a little).
  assert.ok(l.values['scroll.runs'][1] >= 0.8 * travel, `scrolled ${l.values['scroll.runs'][1]} of ${travel} px`);

  await select(page, 'plots');
  l = await layout(page);
  // One finger over a full-width plot scrolls the panel, as on any web page: the plot moves up
  // the screen and its view stays as it was.
  const start = rect(l, 'plot.isocompute');
  const startView = l.values['view.isocompute'];
  const s0 = centre(start);
  const swipe = [['touchStart', [{ x: s0.x, y: s0.y }]]];
  for (let i = 1; i <= 4; ++i) swipe.push(['touchMove', [{ x: s0.x + i * 5, y: s0.y - i * 40 }]]);
  swipe.push(['touchEnd', []]);
  await touch(page, swipe, false);
  l = await settled(page, 'plot.isocompute');  // the glide after the finger lifts
  const moved = rect(l, 'plot.isocompute');
  assert.ok(moved && start.y - moved.y >= 0.8 * 160, `the panel scrolled: plot at ${start.y} -> ${moved?.y}`);
  assert.deepEqual(l.values['view.isocompute'], startView, 'the swipe did not pan the plot');
  await page.screenshot({ path: screenshotPath('phone-plots-swiped'), scale: 'css' });

  // Pinch and pan the plot the swipe brought into full view (the one above it ends under the
  // header after the glide, a little further or less far from run to run).
  const plot = rect(l, 'plot.isocompute');
  const before = l.values['view.isocompute'];
  assert.ok(plot && before, 'the iso-compute plot is on screen');
  const c = centre(plot);
  const pinch = [['touchStart', [{ x: c.x - 30, y: c.y, id: 0 }, { x: c.x + 30, y: c.y, id: 1 }]]];
  for (let i = 1; i <= 4; ++i) {
    pinch.push(['touchMove', [{ x: c.x - 30 - i * 25, y: c.y, id: 0 }, { x: c.x + 30 + i * 25, y: c.y, id: 1 }]]);
  }
  pinch.push(['touchEnd', []]);
  await touch(page, pinch);
  await frames(page, 3);
  const afterView = (await layout(page)).values['view.isocompute'];
  // Fingers 60 -> 260 px apart: the x range (log axis) shrinks by about 260/60 in log space.
  const span = (v) => Math.log10(v[1]) - Math.log10(v[0]);
  const ratio = span(before) / span(afterView);
  assert.ok(ratio > 3 && ratio < 6, `x range ${before} -> ${afterView} (zoom ${ratio})`);
  // Two fingers moving together pan the plot: the data follows them (right: smaller x), the zoom
  // stays.
  const pan = [['touchStart', [{ x: c.x - 40, y: c.y, id: 0 }, { x: c.x + 40, y: c.y, id: 1 }]]];
  for (let i = 1; i <= 4; ++i) {
    pan.push(['touchMove', [{ x: c.x - 40 + i * 20, y: c.y, id: 0 }, { x: c.x + 40 + i * 20, y: c.y, id: 1 }]]);
  }
  pan.push(['touchEnd', []]);
  await touch(page, pan);
  await frames(page, 3);
  const panned = (await layout(page)).values['view.isocompute'];
  assert.ok(panned[0] < afterView[0], `two fingers pan: ${afterView} -> ${panned}`);
  assert.ok(Math.abs(span(panned) / span(afterView) - 1) < 1e-6, 'panning keeps the zoom');
  await page.screenshot({ path: screenshotPath('phone-plots-pinched'), scale: 'css' });
  assert.deepEqual(phone.problems, []);
});

test('on the phone, Save PNG downloads the plot at the device resolution', async () => {
  const { page } = phone;
  await select(page, 'plots');
  const l = await layout(page);
  const plot = rect(l, 'plot.isocompute');
  const button = rect(l, 'png.isocompute');
  assert.ok(plot && button, 'plot and its Save PNG button');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.touchscreen.tap(centre(button).x, centre(button).y),
  ]);
  const png = await readFile(await download.path());
  assert.equal(png.toString('latin1', 1, 4), 'PNG');
  const width = png.readUInt32BE(16), height = png.readUInt32BE(20);
  // Device pixels: three per CSS pixel (the rectangle is rounded outwards to whole pixels).
  assert.ok(Math.abs(width - plot.w * 3) <= 2, `PNG ${width} px wide, plot ${plot.w} CSS px`);
  assert.ok(Math.abs(height - plot.h * 3) <= 2, `PNG ${height} px high, plot ${plot.h} CSS px`);
  assert.deepEqual(phone.problems, []);
});

// Keys are held for a couple of frames, as a person holds them: Dear ImGui 1.86 reads which keys
// are down at each frame, so a press shorter than a frame would go unseen.
async function hold(page, key) {
  await page.keyboard.down(key);
  await frames(page, 2);
  await page.keyboard.up(key);
}

test('on the phone, a text field raises the on-screen keyboard and takes what is typed', async () => {
  const { page } = phone;
  await select(page, 'planner');
  const field = rect(await layout(page), 'field.budget');
  assert.ok(field, 'the budget field is drawn');
  await page.touchscreen.tap(centre(field).x, centre(field).y);
  await frames(page, 3);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'text-input',
               'the hidden input holds the focus, so a phone raises its keyboard');
  await page.keyboard.down('Control');
  await hold(page, 'a');
  await page.keyboard.up('Control');
  await page.keyboard.insertText('2e233');  // as a phone keyboard types: input events only
  await page.evaluate(() => document.getElementById('text-input')
    .dispatchEvent(new InputEvent('input', { inputType: 'deleteContentBackward' })));
  await frames(page, 3);
  await hold(page, 'Enter');
  await frames(page, 3);
  const r = JSON.parse(await page.evaluate(() => window.scalecalc.app.getResults()));
  assert.equal(r.plan.flops, 2e23, 'typed 2e233, one Backspace: 2e23');
  await frames(page, 2);
  assert.notEqual(await page.evaluate(() => document.activeElement?.id), 'text-input',
                  'the keyboard goes away with the field');
  assert.deepEqual(phone.problems, []);
});

test('on the desktop, Tab reaches the budget field and typing a budget changes the plan', async () => {
  const { page } = desktop;
  await select(page, 'planner');
  await page.mouse.move(5, 400);
  let active = null;
  for (let i = 0; i < 6 && !active; ++i) {
    await hold(page, 'Tab');
    await frames(page, 2);
    active = (await layout(page)).rects.find((r) => r.name.startsWith('active.field.'));
  }
  assert.equal(active?.name, 'active.field.budget', 'Tab lands on the budget first');
  await page.keyboard.down('Control');
  await hold(page, 'a');
  await page.keyboard.up('Control');
  await page.keyboard.type('3e23');  // characters arrive as text input, queued by the backend
  await hold(page, 'Enter');
  await frames(page, 3);
  const r = JSON.parse(await page.evaluate(() => window.scalecalc.app.getResults()));
  assert.equal(r.plan.flops, 3e23);
  await page.screenshot({ path: screenshotPath('desktop-planner-keyboard') });
  assert.deepEqual(desktop.problems, []);
});

test('on the desktop, Copy on the planner table puts tab-separated text on the clipboard', async () => {
  const { page } = desktop;
  await select(page, 'planner');
  const button = rect(await layout(page), 'copy.plan');
  assert.ok(button, 'the Copy button is drawn');
  await page.mouse.click(centre(button).x, centre(button).y);
  await frames(page, 3);
  const text = await page.evaluate(() => navigator.clipboard.readText());
  const rows = text.trim().split('\n').map((line) => line.split('\t'));
  assert.deepEqual(rows[0].slice(0, 3), ['quantity', 'recommended', '95% interval']);
  assert.ok(rows.length > 4, text);
  assert.ok(rows.every((row) => row.length === rows[0].length), 'a rectangular grid');
  // The model-size row carries the plan's N (shown as e.g. "1.07B"), within its rounding.
  const r = JSON.parse(await page.evaluate(() => window.scalecalc.app.getResults()));
  const size = rows.find((row) => /model size/i.test(row[0]));
  assert.ok(size, text);
  const scale = { k: 1e3, M: 1e6, B: 1e9, T: 1e12 };
  const m = size[1].match(/^([\d.]+)([kMBT]?)/);
  const shown = Number(m[1]) * (scale[m[2]] || 1);
  assert.ok(Math.abs(shown / r.plan.params - 1) < 0.01, `${size[1]} vs ${r.plan.params}`);
  assert.deepEqual(desktop.problems, []);
});
