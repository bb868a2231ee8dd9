// harness.mjs: shared set-up for browser tests. Serves the built site, launches Debian's headless
// Chromium through playwright-core, and fails a test on any console error or failed request.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

export const siteDir = process.env.SCALECALC_SITE_DIR || path.resolve('build/wasm/site');
export const artifactsDir = process.env.SCALECALC_ARTIFACTS_DIR || path.resolve('build/wasm/artifacts');
mkdirSync(artifactsDir, { recursive: true });

const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--enable-unsafe-webgpu',
];

export async function launch() {
  const { server, url } = await startServer(siteDir, 0);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_FLAGS,
  });
  return {
    url, browser,
    async close() {
      await browser.close();
      server.close();
    },
  };
}

// Every Content-Security-Policy violation becomes a console error (Chromium also logs its own
// "Refused to ..." line), so any test that runs the page under the policy fails on one.
function reportPolicyViolations() {
  document.addEventListener('securitypolicyviolation', (event) => {
    console.error(`CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || 'inline'}`);
  });
}

// A page that records console errors (the workers' too), page errors, failed requests and CSP
// violations.
export async function openPage(browser, url, { width = 1280, height = 720, scale = 1, context } = {}) {
  const ctx = context || await browser.newContext({
    viewport: { width, height }, deviceScaleFactor: scale,
  });
  const page = await ctx.newPage();
  await page.addInitScript(reportPolicyViolations);
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('worker', (worker) => worker.on('console', (message) => {
    if (message.type() === 'error') problems.push(`worker console error: ${message.text()}`);
  }));
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // A fitting worker terminated while it still loads (a bootstrap cancelled by the next change)
    // aborts its own script and module requests: the pool's cancel working, not a failure.
    const aborted = request.failure()?.errorText === 'net::ERR_ABORTED';
    if (aborted && /\/(fit_worker\.js|scalecalc_core\.(js|wasm))$/.test(new URL(request.url()).pathname)) return;
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.goto(url);
  return { page, problems, context: ctx };
}

// Waits until the app is started and the first frames are drawn.
export async function waitForApp(page, count = 5) {
  await page.waitForFunction(() => window.scalecalc && window.scalecalc.ready === true,
                             null, { timeout: 60000 });
  await frames(page, count);
}

// Resolves after `count` animation frames of the page (the app draws one per frame).
export async function frames(page, count = 3) {
  await page.evaluate((n) => new Promise((resolve) => {
    let left = n;
    const tick = () => (--left <= 0 ? resolve() : requestAnimationFrame(tick));
    requestAnimationFrame(tick);
  }), count);
}

export function screenshotPath(name) { return path.join(artifactsDir, `${name}.png`); }

// The app's results hook, parsed.
export async function results(page) {
  return JSON.parse(await page.evaluate(() => window.scalecalc.app.getResults()));
}

// Sets an option by its schema key, as the page's controls and share links do.
export function setOption(page, name, value) {
  return page.evaluate(([n, v]) => window.scalecalc.app.setOption(n, v), [name, value]);
}

// Pastes text over the page as Ctrl+V does.
export async function paste(page, text) {
  await page.evaluate((data) => {
    const transfer = new DataTransfer();
    transfer.setData('text/plain', data);
    document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true }));
  }, text);
}

// The address once the page has caught up with the state (a link, "#s1.") and, when `previous`
// is given, moved on from that address.
export async function settledUrl(page, previous = null) {
  let last = '';
  for (let i = 0; i < 80; ++i) {
    await page.waitForTimeout(300);
    const url = page.url();
    if (url === last && url.includes('#s1.') && url !== previous) return url;
    last = url;
  }
  throw new Error(`the address bar never settled: ${last}`);
}
