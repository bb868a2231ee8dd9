// bootstrap_page_bench.mjs: 1,000 bootstrap resamples of the Step Law sweep in the page, timed
// from the option change to the samples attached, side by side in one page load:
//   - one worker with the refit of the code before warm starts (refit 'legacy'): today's time
//   - one worker with the warm refit
//   - the default pool (navigator.hardwareConcurrency - 1, 1 to 8 workers) with the warm refit
// Target: the default pool in <= 1/3 of the first. Each configuration first runs 20 resamples so
// its workers have loaded their module. Not part of CI.
//
//   bash scripts/build.sh wasm && node bench/bootstrap_page_bench.mjs [--samples N] [--rounds R]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { frames, launch, openPage, siteDir, waitForApp } from '../tests/browser/harness.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const samples = arg('--samples', 1000);
const rounds = arg('--rounds', 1);


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

const session = await launch();
try {
  const { page } = await openPage(session.browser, session.url);
  await waitForApp(page, 1);
  const steplaw = readFileSync(path.join(siteDir, 'data/steplaw_dense_lr_bs_loss.csv'), 'utf8');
  await page.evaluate((text) => {
    window.scalecalc.app.setOption('bootstrap', '0');
    window.scalecalc.app.onExampleText(2, text);
  }, steplaw);
  const info = await page.evaluate(() => ({
    cores: navigator.hardwareConcurrency, pool: window.scalecalc.bootstrapPool.size(),
    runs: JSON.parse(window.scalecalc.app.getResults()).data.runs,
  }));
  console.log(`bootstrap_page_bench: ${samples} resamples of the Step Law sweep (${info.runs} runs); ` +
              `navigator.hardwareConcurrency ${info.cores}, default pool ${info.pool}`);
  const configs = [
    { name: 'one worker, legacy refit (today)', size: 1, refit: 'legacy' },
    { name: 'one worker, warm refit', size: 1, refit: 'warm' },
    { name: `default pool (${info.pool}), warm refit`, size: info.pool, refit: 'warm' },
  ];
  const seconds = [];
  for (const config of configs) {
    await page.evaluate(({ size, refit }) => {
      window.scalecalc.bootstrapPool.setSize(size);
      window.scalecalc.bootstrapPool.setRefit(refit);
    }, config);
    await runBootstrap(page, 20);  // load the workers' modules
    let best = Infinity;
    for (let r = 0; r < rounds; ++r) best = Math.min(best, await runBootstrap(page, samples));
    seconds.push(best);
    console.log(`  ${config.name.padEnd(36)} ${best.toFixed(2).padStart(7)} s   ` +
                `${(seconds[0] / best).toFixed(2)}x`);
  }
  const ratio = seconds[2] / seconds[0];
  console.log(`default pool / today: ${ratio.toFixed(3)} (target <= 0.333): ${ratio <= 1 / 3 ? 'PASS' : 'FAIL'}`);
} finally {
  await session.close();
}
