// The plot widget's demo window (src/app/plot_demo.cpp): it opens through the page's hook, draws
// the Step-Law-sized sweep without errors, and reacts to the mouse: wheel zooms the plot (not
// the window), drag pans, double-click resets (where frames are fast enough for ImGui to see
// one), hovering a run reports it. Screenshots go to the artifacts folder (plot-demo*.png) for
// a person to look at.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, openPage, screenshotPath, waitForApp } from './harness.mjs';

let session;
before(async () => { session = await launch(); });
after(async () => { await session?.close(); });

const frames = (page, count = 5) => page.evaluate((n) => new Promise((resolve) => {
  let left = n;
  const tick = () => (--left <= 0 ? resolve() : requestAnimationFrame(tick));
  requestAnimationFrame(tick);
}), count);

const state = async (page) =>
  JSON.parse(await page.evaluate(() => window.scalecalc.app.plotDemoState()));

// Opens the demo and waits until its main plot has been drawn.
async function openDemo(options) {
  const { page, problems } = await openPage(session.browser, session.url, options);
  await waitForApp(page);
  const exposed = await page.evaluate(() => typeof window.scalecalc.app.showPlotDemo);
  assert.equal(exposed, 'function', 'the app module exposes showPlotDemo');
  await page.evaluate(() => window.scalecalc.app.showPlotDemo(true));
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.plotDemoState()).visible,
                             null, { timeout: 20000 });
  await frames(page, 10);
  const ratio = await page.evaluate(() => window.devicePixelRatio);
  return { page, problems, ratio };
}

// ImGui works in device pixels; the mouse in CSS pixels.
const css = (px, ratio) => px / ratio;
const span = (range) => Math.log10(range[1]) - Math.log10(range[0]);  // the demo's x axis is log

test('plot demo draws the Step-Law-sized sweep', async () => {
  const { page, problems } = await openDemo();
  // The demo times its main plot over 30-frame windows: let one pass after the wasm warmed up.
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.plotDemoState()).plotMs > 0,
                             null, { timeout: 60000 });
  await frames(page, 31);
  const s = await state(page);
  assert.equal(s.runs, 2000);
  assert.ok(s.pointsDrawn > 1500, `most runs are in view (${s.pointsDrawn})`);
  assert.equal(s.truncated, false, 'the draw list did not run out of vertices');
  assert.ok(s.x[0] > 0 && s.x[1] > s.x[0] && s.y[1] > s.y[0], 'the view was fitted to the data');
  console.log(`plot demo: ${s.pointsDrawn} points drawn, ${s.vertices} vertices, ` +
              `plot ${s.plotMs.toFixed(3)} ms CPU, frame ${s.frameMs.toFixed(2)} ms ` +
              '(headless, SwiftShader)');
  await page.screenshot({ path: screenshotPath('plot-demo') });
  assert.deepEqual(problems, []);
});

test('wheel zooms the plot, not the window; drag pans', async () => {
  const { page, problems, ratio } = await openDemo();
  const before = await state(page);
  const cx = css((before.area[0] + before.area[2]) / 2, ratio);
  const cy = css((before.area[1] + before.area[3]) / 2, ratio);
  await page.mouse.move(cx, cy);
  await frames(page, 3);  // hovered for a frame first, as with a real mouse
  await page.mouse.wheel(0, -300);
  await frames(page, 5);
  const zoomed = await state(page);
  // Which way one wheel event zooms, and how far, is the platform layer's business (main.cpp):
  // emscripten 3.1.6's GLFW passes the DOM's raw deltaY to ImGui. Here: it zooms, both axes.
  const ratioX = span(zoomed.x) / span(before.x);
  const ratioY = (zoomed.y[1] - zoomed.y[0]) / (before.y[1] - before.y[0]);
  assert.ok(Math.abs(Math.log(ratioX)) > 0.1, `zoomed x: ${before.x} -> ${zoomed.x}`);
  assert.ok(Math.abs(Math.log(ratioY)) > 0.1, `zoomed y: ${before.y} -> ${zoomed.y}`);
  assert.equal(zoomed.scrollY, before.scrollY, 'the demo window did not scroll');
  await page.screenshot({ path: screenshotPath('plot-demo-zoomed') });

  await page.mouse.down();
  await page.mouse.move(cx + 120, cy, { steps: 6 });
  await page.mouse.up();
  await frames(page, 3);
  const panned = await state(page);
  assert.ok(panned.x[0] < zoomed.x[0],
            `dragging right shows smaller x: ${zoomed.x} -> ${panned.x}`);
  assert.ok(Math.abs(span(panned.x) - span(zoomed.x)) < 1e-9, 'panning keeps the zoom');

  // Off the plot the wheel still scrolls the window (the check above could not pass vacuously).
  // Over the text above the plot.
  await page.mouse.move(css(before.area[0] + 10, ratio), css(before.area[1] - 100, ratio));
  await frames(page, 3);
  let deepest = before.scrollY;
  for (const delta of [300, -300, -300]) {  // whichever way the platform maps the wheel
    await page.mouse.wheel(0, delta);
    await frames(page, 4);
    const { scrollY } = await state(page);
    if (scrollY > deepest) {  // the lower part of the demo: axis cases and markers
      deepest = scrollY;
      await page.screenshot({ path: screenshotPath('plot-demo-lower') });
    }
  }
  assert.ok(deepest > before.scrollY, 'the window scrolls when the wheel is off the plot');
  assert.deepEqual(problems, []);
});

test('double-click resets the view', async (t) => {
  const { page, problems, ratio } = await openDemo();
  const before = await state(page);
  // ImGui 1.86's GLFW backend polls the buttons once a frame, so a double-click is a press, a
  // frame released, a press: within its 0.3 s only if frames take under ~150 ms. Headless
  // Chromium on a busy machine (SwiftShader) can be far slower: then say so instead of passing.
  if (before.frameMs > 120) {
    t.skip(`frames take ${before.frameMs.toFixed(0)} ms here, too slow for a double-click`);
    return;
  }
  const cx = css((before.area[0] + before.area[2]) / 2, ratio);
  const cy = css((before.area[1] + before.area[3]) / 2, ratio);
  await page.mouse.move(cx, cy);
  await frames(page, 2);
  await page.mouse.down();
  await page.mouse.move(cx + 100, cy + 40, { steps: 4 });
  await page.mouse.up();
  await frames(page, 3);
  const panned = await state(page);
  assert.ok(panned.x[0] < before.x[0], 'panned first');
  for (const step of ['down', 'up', 'down', 'up']) {
    await page.mouse[step]();
    await frames(page, 1);
  }
  await frames(page, 2);
  const reset = await state(page);
  const close = (a, b) => Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
  assert.ok(close(reset.x[0], before.x[0]) && close(reset.x[1], before.x[1]),
            `double-click fits the data again: ${before.x} -> ${panned.x} -> ${reset.x}`);
  assert.ok(close(reset.y[0], before.y[0]) && close(reset.y[1], before.y[1]), 'y fitted again');
  assert.deepEqual(problems, []);
});

test('hovering a run reports it; the legend hides and shows a series', async () => {
  const { page, problems, ratio } = await openDemo();
  const s = await state(page);
  await page.mouse.move(css(s.probe[0], ratio), css(s.probe[1], ratio));
  await frames(page, 4);
  const hovered = await state(page);
  assert.ok(hovered.hover.valid, 'a run is hovered');
  const distance = Math.hypot(hovered.hover.px[0] - s.probe[0], hovered.hover.px[1] - s.probe[1]);
  assert.ok(distance < 8 * ratio, `the hovered run is the one under the mouse (${distance} px)`);
  await page.screenshot({ path: screenshotPath('plot-demo-hover') });

  // The legend's third row is "N = 1e8" (after the two bands): a click hides its 286 runs, a
  // second shows them again. Rows are 1.25 fonts tall below a 0.9-font margin and padding.
  const row = { x: s.area[2] - 2 * s.font, y: s.area[1] + (0.9 + 1.25 * 2.5) * s.font };
  await page.mouse.click(css(row.x, ratio), css(row.y, ratio));
  await frames(page, 3);
  const hidden = await state(page);
  assert.equal(hidden.pointsDrawn, s.pointsDrawn - 286, 'one size hidden from the legend');
  await page.mouse.click(css(row.x, ratio), css(row.y, ratio));
  await frames(page, 3);
  assert.equal((await state(page)).pointsDrawn, s.pointsDrawn, 'and shown again');
  assert.deepEqual(problems, []);
});

test('plot demo at devicePixelRatio 2', async () => {
  const { page, problems } = await openDemo({ width: 1000, height: 700, scale: 2 });
  const s = await state(page);
  assert.ok(s.area[2] - s.area[0] > 1200, 'the plot is laid out in device pixels');
  await page.screenshot({ path: screenshotPath('plot-demo-hidpi') });
  assert.deepEqual(problems, []);
});
