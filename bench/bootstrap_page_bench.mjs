// bootstrap_page_bench.mjs: 1,000 bootstrap resamples of the Step Law sweep in the page, timed
// from the option change to the samples attached, side by side in one script:
//   - the site of the code the issue measured (reference_site.mjs: 0338bf9, one worker, its
//     refit), in a page of its own: today's time
//   - in one page of ours: one worker with the refit of the code before warm starts (refit
//     'legacy', on today's shared code), one worker with the warm refit, and the default pool
//     (navigator.hardwareConcurrency - 1, 1 to 8 workers) with the warm refit
// Target: the default pool in <= 1/3 of today's time. Each configuration first runs 20 resamples
// so its workers have loaded their module; each figure is the best of --rounds. Not part of CI.
//
//   bash scripts/build.sh wasm && node bench/bootstrap_page_bench.mjs [--samples N] [--rounds R]
//   node bench/bootstrap_page_bench.mjs --reference DIR     a site built from another commit
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer } from '../scripts/serve.mjs';
import { frames, launch, openPage, siteDir, waitForApp } from '../tests/browser/harness.mjs';
import { REFERENCE_COMMIT, referenceSite } from './reference_site.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const samples = arg('--samples', 1000);
const rounds = arg('--rounds', 1);
const referenceIndex = process.argv.indexOf('--reference');
const referenceDir = referenceIndex > 0 ? process.argv[referenceIndex + 1] : referenceSite(REFERENCE_COMMIT);


// Seconds from the option change to the samples attached.
async function runBootstrap(page, count) {
  await page.evaluate(() => window.scalecalc.app.setOption('bootstrap', '0'));
  await frames(page);
  const start = Date.now();
  await page.evaluate((n) => window.scalecalc.app.setOption('bootstrap', String(n)), count);
  await page.waitForFunction(() => {
    const r = JSON.parse(window.scalecalc.app.getResults());
    return !r.bootstrap.running && r.bootstrap.samples > 0;
  }, null, { timeout: 600000, polling: 20 });
  return (Date.now() - start) / 1000;
}

// A page of `url` with the Step Law sweep loaded and no bootstrap yet.
async function openStepLaw(browser, url, steplaw) {
  const { page } = await openPage(browser, url);
  await waitForApp(page, 1);
  await page.evaluate((text) => {
    window.scalecalc.app.setOption('bootstrap', '0');
    window.scalecalc.app.onExampleText(2, text);
  }, steplaw);
  return page;
}

async function best(page) {
  await runBootstrap(page, 20);  // load the workers' modules
  let fastest = Infinity;
  for (let r = 0; r < rounds; ++r) fastest = Math.min(fastest, await runBootstrap(page, samples));
  return fastest;
}

const session = await launch();
const reference = await startServer(referenceDir, 0);
try {
  const steplaw = readFileSync(path.join(siteDir, 'data/steplaw_dense_lr_bs_loss.csv'), 'utf8');
  const referencePage = await openStepLaw(session.browser, reference.url, steplaw);
  const today = await best(referencePage);
  await referencePage.context().close();
  const page = await openStepLaw(session.browser, session.url, steplaw);
  const info = await page.evaluate(() => ({
    cores: navigator.hardwareConcurrency, pool: window.scalecalc.bootstrapPool.size(),
    runs: JSON.parse(window.scalecalc.app.getResults()).data.runs,
  }));
  console.log(`bootstrap_page_bench: ${samples} resamples of the Step Law sweep (${info.runs} runs); ` +
              `navigator.hardwareConcurrency ${info.cores}, default pool ${info.pool}`);
  console.log(`  ${'the code the issue measured (today)'.padEnd(36)} ${today.toFixed(2).padStart(7)} s   ` +
              `1.00x   (${referenceDir})`);
  const configs = [
    { name: 'one worker, legacy refit', size: 1, refit: 'legacy' },
    { name: 'one worker, warm refit', size: 1, refit: 'warm' },
    { name: `default pool (${info.pool}), warm refit`, size: info.pool, refit: 'warm' },
  ];
  const seconds = [];
  for (const config of configs) {
    await page.evaluate(({ size, refit }) => {
      window.scalecalc.bootstrapPool.setSize(size);
      window.scalecalc.bootstrapPool.setRefit(refit);
    }, config);
    const fastest = await best(page);
    seconds.push(fastest);
    console.log(`  ${config.name.padEnd(36)} ${fastest.toFixed(2).padStart(7)} s   ` +
                `${(today / fastest).toFixed(2)}x`);
  }
  const ratio = seconds[2] / today;
  console.log(`default pool / today: ${ratio.toFixed(3)} (target <= 0.333): ${ratio <= 1 / 3 ? 'PASS' : 'FAIL'}; ` +
              `against the legacy refit in this build: ${(seconds[2] / seconds[0]).toFixed(3)}`);
} finally {
  await session.close();
  reference.server.close();
}
