// The page loads in headless Chromium, draws frames, and logs no error or failed request.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { frames, launch, openPage, screenshotPath, waitForApp } from './harness.mjs';

let session;
before(async () => { session = await launch(); });
after(async () => { await session?.close(); });

// Counts the WebGL calls that make the page wait for the GPU process (each returns something the
// GPU side holds) and the draws, so a test can check that frames draw without waiting.
function countGlCalls() {
  window.glCalls = { reads: 0, draws: 0 };
  const proto = WebGL2RenderingContext.prototype;
  for (const name of ['getParameter', 'getError', 'isEnabled', 'getShaderParameter',
                      'getProgramParameter', 'getUniformLocation', 'getAttribLocation',
                      'getActiveUniform', 'checkFramebufferStatus', 'getTexParameter',
                      'getBufferParameter', 'getVertexAttrib', 'getBufferSubData', 'readPixels']) {
    const original = proto[name];
    proto[name] = function (...args) { window.glCalls.reads++; return original.apply(this, args); };
  }
  const drawElements = proto.drawElements;
  proto.drawElements = function (...args) { window.glCalls.draws++; return drawElements.apply(this, args); };
}

test('page loads, draws without reading back from the GL, and reports no errors', async () => {
  const context = await session.browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(countGlCalls);
  const { page, problems } = await openPage(session.browser, session.url, { context });
  await waitForApp(page);
  const hidden = await page.$eval('#status', (el) => el.classList.contains('hidden'));
  assert.ok(hidden, 'the loading message is gone once the app runs');
  const canvas = await page.$eval('#canvas', (el) => ({ w: el.width, h: el.height }));
  assert.deepEqual(canvas, { w: 1280, h: 720 }, 'backing store matches the viewport at ratio 1');
  // A read-back waits for every command queued before it (webgl_renderer.h): frames do none.
  await page.evaluate(() => { window.glCalls = { reads: 0, draws: 0 }; });
  await page.mouse.move(300, 300);  // input keeps the app drawing at the full frame rate
  await frames(page, 10);
  const calls = await page.evaluate(() => window.glCalls);
  assert.ok(calls.draws > 0, 'the app drew during those frames');
  assert.equal(calls.reads, 0, 'no frame read anything back from the GL');
  await page.screenshot({ path: screenshotPath('page') });

  // A still screen is redrawn at the idle rate (src/app/frame_pacing.h: 5 frames a second) ...
  await page.waitForFunction(() => window.scalecalc.app.framesIdle(), null, { timeout: 10000 });
  const idleFrames = await page.evaluate(async () => {
    const { app } = window.scalecalc;
    app.resetFrameStats();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return JSON.parse(app.frameStatsJson()).frames;
  });
  assert.ok(idleFrames >= 2 && idleFrames <= 8, `a still screen: ${idleFrames} frames in a second`);
  // ... and a change while idle is drawn at the next animation frame, not at the idle rate's.
  const woken = await page.evaluate(async () => {
    const { app } = window.scalecalc;
    app.resetFrameStats();
    app.selectPanel('fit');
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    return { frames: JSON.parse(app.frameStatsJson()).frames, idle: app.framesIdle() };
  });
  assert.ok(woken.frames >= 1 && !woken.idle, `after a change while idle: ${JSON.stringify(woken)}`);
  assert.deepEqual(problems, []);
});

test('high-DPI: the canvas backing store follows devicePixelRatio', async () => {
  const { page, problems } = await openPage(session.browser, session.url,
                                            { width: 1000, height: 600, scale: 2 });
  await waitForApp(page);
  const canvas = await page.$eval('#canvas', (el) => ({ w: el.width, h: el.height }));
  assert.deepEqual(canvas, { w: 2000, h: 1200 });
  await page.screenshot({ path: screenshotPath('page-hidpi') });
  assert.deepEqual(problems, []);
});

test('resizing the window resizes the canvas', async () => {
  const { page, problems } = await openPage(session.browser, session.url);
  await waitForApp(page);
  await page.setViewportSize({ width: 900, height: 500 });
  await page.waitForFunction(() => document.getElementById('canvas').width === 900);
  assert.equal(await page.$eval('#canvas', (el) => el.height), 500);
  assert.deepEqual(problems, []);
});

test('without WebAssembly exceptions the page says so and which browsers have them', async () => {
  // The check's module is valid where exceptions are (this Chromium), and refused where not: a
  // browser that refuses every module with a try block stands in for an old one.
  const context = await session.browser.newContext();
  await context.addInitScript(() => {
    const original = WebAssembly.validate;
    WebAssembly.validate = (bytes) => !new Uint8Array(bytes).includes(0x19) && original(bytes);
  });
  const { page } = await openPage(session.browser, session.url, { context });
  await page.waitForFunction(() => document.getElementById('status').classList.contains('error'));
  assert.match(await page.textContent('#status-text'), /lacks exception handling.*Firefox 100/);
  await context.close();
});

test('without WebGL2 the page says so instead of failing silently', async () => {
  const context = await session.browser.newContext();
  await context.addInitScript(() => {
    const original = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
      return kind === 'webgl2' ? null : original.call(this, kind, ...rest);
    };
  });
  const { page } = await openPage(session.browser, session.url, { context });
  await page.waitForFunction(() => document.getElementById('status').classList.contains('error'));
  const text = await page.textContent('#status-text');
  assert.match(text, /WebGL2/);
});

test('a slow load shows a turning spinner after a second, a quick one none', async () => {
  // A running animation has the compositor draw every frame: a quick load should not pay for it.
  const context = await session.browser.newContext();
  await context.addInitScript(() => document.addEventListener('DOMContentLoaded', () => {
    window.spinnerAtStart = getComputedStyle(document.querySelector('.spinner')).visibility;
  }));
  await context.route('**/scalecalc_app.wasm', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await route.continue();
  });
  const page = await context.newPage();
  await page.goto(session.url, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => window.spinnerAtStart);
  assert.equal(await page.evaluate(() => window.spinnerAtStart), 'hidden');
  await page.waitForFunction(() => getComputedStyle(document.querySelector('.spinner')).visibility === 'visible');
  assert.equal(await page.$eval('.spinner', (el) => getComputedStyle(el).animationName), 'spin');
  await waitForApp(page);
  assert.ok(await page.$eval('#status', (el) => el.classList.contains('hidden')));
  await context.close();
});

test('a lost WebGL context comes back and the app draws again', async () => {
  // What a GPU process restart or a phone taking its GPU back from a background tab does.
  const { page, problems } = await openPage(session.browser, session.url);
  await waitForApp(page);
  await page.mouse.move(1200, 650);  // a still spot: the same picture before and after
  await frames(page, 10);
  const before = await page.screenshot();
  const lost = await page.evaluate(() => new Promise((resolve) => {
    const canvas = document.getElementById('canvas');
    const extension = canvas.getContext('webgl2').getExtension('WEBGL_lose_context');
    canvas.addEventListener('webglcontextlost', (event) => {
      resolve(event.defaultPrevented);
      setTimeout(() => extension.restoreContext(), 100);
    }, { once: true });
    extension.loseContext();
  }));
  assert.ok(lost, 'the app asks for the context back');
  await page.waitForFunction(() => !document.getElementById('canvas').getContext('webgl2').isContextLost());
  await page.mouse.move(1200, 650);
  await frames(page, 10);
  assert.ok((await page.screenshot()).equals(before), 'the same picture as before the loss');
  assert.deepEqual(problems.filter((p) => !/CONTEXT_LOST/.test(p)), []);
});
