// "Your data never leaves the browser", enforced: the page's Content-Security-Policy (a meta tag,
// so any static host keeps it) blocks and reports a request to another origin, inline script,
// eval and a worker from elsewhere, while the app, its wasm (compiled streaming) and the fitting
// worker run under it. The WebGPU path runs under it in app.test.mjs and webgpu*.test.mjs: the
// harness fails every browser test on a CSP violation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launch, openPage, siteDir, waitForApp } from './harness.mjs';

// What the policy must say (issue 13); an oracle written here, not read from the page.
const REQUIRED = {
  'default-src': ["'self'"], 'connect-src': ["'self'"], 'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'worker-src': ["'self'"], 'object-src': ["'none'"], 'base-uri': ["'none'"],
};

function metaPolicy(html) {
  const match = html.match(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i);
  return match ? match[1] : null;
}

function directives(policy) {
  return Object.fromEntries(policy.split(';').map((d) => d.trim()).filter(Boolean)
    .map((d) => { const [name, ...values] = d.split(/\s+/); return [name, values]; }));
}

// Another origin that would answer if asked: every request it gets is a leak.
let session;
let outside;
const outsideRequests = [];
before(async () => {
  session = await launch();
  outside = http.createServer((request, response) => {
    outsideRequests.push(request.url);
    response.writeHead(200, { 'Access-Control-Allow-Origin': '*' }).end('leaked');
  });
  await new Promise((resolve) => outside.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  await session?.close();
  outside?.close();
});

test('both pages carry the policy, no inline script or handler, and the server adds frame-ancestors', async () => {
  for (const name of ['index.html', 'kernels.html']) {
    const html = readFileSync(path.join(siteDir, name), 'utf8');
    const policy = metaPolicy(html);
    assert.ok(policy, `${name} has a CSP meta tag`);
    const d = directives(policy);
    for (const [directive, values] of Object.entries(REQUIRED)) {
      assert.deepEqual(d[directive], values, `${name}: ${directive}`);
    }
    assert.ok(!policy.includes("'unsafe-inline'") && !policy.includes("'unsafe-eval'"), name);
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, `${name}: no inline <script>`);
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, `${name}: no inline event handler`);
    assert.doesNotMatch(html, /<style|\sstyle=/i, `${name}: no inline style`);
  }
  const page = await fetch(session.url);
  assert.equal(page.headers.get('content-security-policy'), "frame-ancestors 'none'");
  const wasm = await fetch(`${session.url}scalecalc_app.wasm`);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm', 'streaming compilation needs it');
  // A worker takes its policy from its script's response, not from the page's meta tag.
  const worker = await fetch(`${session.url}fit_worker.js`);
  const workerPolicy = directives(worker.headers.get('content-security-policy') || '');
  assert.deepEqual(workerPolicy['connect-src'], ["'self'"]);
});

test('under the policy the app runs and a request to another origin is blocked and reported', async () => {
  const { page, problems } = await openPage(session.browser, session.url);
  await waitForApp(page);
  assert.equal(await page.evaluate(() => window.scalecalc.startup.wasmStreaming), true,
               'the wasm compiled streaming (served as application/wasm)');
  assert.deepEqual(problems, [], 'the app starts with no violation');

  const outsideUrl = `http://127.0.0.1:${outside.address().port}`;
  const seen = await page.evaluate(async (origin) => {
    const violations = [];
    document.addEventListener('securitypolicyviolation',
      (e) => violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
    const outcome = {};
    try {
      await fetch(`${origin}/data?csv=secret`, { method: 'POST', body: 'params,tokens,loss' });
      outcome.fetch = 'sent';
    } catch (error) {
      outcome.fetch = error.name;
    }
    const image = new Image();
    image.src = `${origin}/pixel.png`;
    const script = document.createElement('script');
    script.textContent = 'window.inlineRan = true;';
    document.body.append(script);
    // String code the browser would compile for the page (not through the test's own evaluate,
    // which DevTools exempts from the policy): an inline handler and a string timer.
    const button = document.createElement('button');
    button.setAttribute('onclick', 'window.handlerRan = true;');
    document.body.append(button);
    button.click();
    setTimeout('window.timerRan = true;', 0);  // eslint-disable-line no-implied-eval
    outcome.blobWorker = 'silent';
    try {
      const w = new Worker(URL.createObjectURL(new Blob(['postMessage(1)'], { type: 'text/javascript' })));
      w.onmessage = () => { outcome.blobWorker = 'ran'; };
    } catch (error) {
      outcome.blobWorker = error.name;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));  // violation events are queued
    return { outcome, violations, inlineRan: window.inlineRan === true,
             handlerRan: window.handlerRan === true, timerRan: window.timerRan === true };
  }, outsideUrl);

  assert.equal(seen.outcome.fetch, 'TypeError', 'the cross-origin fetch is refused');
  assert.notEqual(seen.outcome.blobWorker, 'ran', 'a worker from a blob: URL does not run');
  assert.equal(seen.inlineRan, false, 'an injected inline script does not run');
  assert.equal(seen.handlerRan, false, 'an inline event handler does not run');
  assert.equal(seen.timerRan, false, 'a string timer (eval) does not run');
  const directivesSeen = seen.violations.map((v) => v.directive);
  for (const directive of ['connect-src', 'img-src', 'script-src-elem', 'script-src-attr', 'script-src', 'worker-src']) {
    assert.ok(directivesSeen.includes(directive), `${directive} violation reported: ${JSON.stringify(seen.violations)}`);
  }
  assert.ok(seen.violations.some((v) => v.directive === 'connect-src' && v.blocked.startsWith(outsideUrl)));
  assert.deepEqual(outsideRequests, [], 'nothing reached the other origin');

  const provoked = problems.length;  // the violations provoked above, as reported
  // The fitting worker still runs under the policy.
  await page.evaluate(() => window.scalecalc.app.setOption('bootstrap', '20'));
  await page.waitForFunction(() => JSON.parse(window.scalecalc.app.getResults()).bootstrap.samples === 20,
                             null, { timeout: 120000 });
  assert.ok(provoked > 0, 'the harness saw the provoked violations (it fails other tests on them)');
  assert.deepEqual(problems.slice(provoked), [], 'no violation while the worker fits');
});
