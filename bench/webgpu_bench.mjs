// webgpu_bench.mjs: GFLOP/s of the WebGPU kernels in headless Chromium: the tiled matmul against
// the naive one (one output per thread) and the online-softmax attention against the naive one
// (materialised scores), on whatever adapter Chromium offers (SwiftShader, a CPU, on a machine
// without a GPU). Prints a table, the speed-ups, and PASS/FAIL for the target: the tiled matmul
// at least 3x the naive one at every size. Exit status 1 on FAIL.
//
//   bash scripts/build.sh wasm && node bench/webgpu_bench.mjs
//   node bench/webgpu_bench.mjs --sizes 256,512 --lengths 256 --rounds 3 --heads 4 --head-dim 64
//
// Each pair is measured --rounds times, alternating the two kernels, and each figure is the
// fastest round (timestamp-query when the adapter has it, else wall clock): load from other
// processes only adds time, so the minimum is the figure least moved by it. FLOPs are 2 per
// multiply-add: 2 n^3 for a matmul, 4 n^2 d for attention (d = heads x head dim).
import { launch, openPage } from '../tests/browser/harness.mjs';

const TARGET_MATMUL_SPEEDUP = 3;

function parseArgs(argv) {
  const options = { sizes: [256, 512, 1024], lengths: [256, 1024], rounds: 5, heads: 4, headDim: 64 };
  const list = (text) => text.split(',').map(Number).filter((v) => Number.isInteger(v) && v > 0);
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1] ?? ''];
    if (flag === '--sizes') options.sizes = list(value);
    else if (flag === '--lengths') options.lengths = list(value);
    else if (flag === '--rounds') options.rounds = Number(value);
    else if (flag === '--heads') options.heads = Number(value);
    else if (flag === '--head-dim') options.headDim = Number(value);
    else throw new Error(`unknown option ${flag} (see the header of bench/webgpu_bench.mjs)`);
  }
  return options;
}

const pad = (value, width) => String(value).padStart(width);

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const session = await launch();
  try {
    const { page, problems } = await openPage(session.browser, `${session.url}kernels.html`);
    const gpu = await page.evaluate(() => window.kernelLab.whenReady);
    if (!gpu.ok) throw new Error(gpu.message);
    console.log(`adapter: ${gpu.adapterName}; timing: ${gpu.timestampQuery ? 'timestamp-query' : 'wall clock'}`);

    const started = Date.now();
    const checks = await page.evaluate(() => window.kernelLab.checkKernels());
    const worst = Math.max(...checks.map((c) => c.maxRelError));
    const failed = checks.filter((c) => !c.ok);
    console.log(`kernel checks: ${checks.length - failed.length}/${checks.length} pass, ` +
                `max relative error ${worst.toExponential(2)} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    for (const c of failed) console.log(`  FAIL ${c.kernel}: ${c.message}`);
    if (failed.length) throw new Error('kernel checks failed: no timings');

    const result = await page.evaluate((o) => window.kernelLab.benchmark({
      matmulSizes: o.sizes, attentionLengths: o.lengths, heads: o.heads, headDim: o.headDim,
      rounds: o.rounds, repeats: 1,
    }), options);
    if (!result.ok) throw new Error(result.message);

    console.log(`\nfastest of ${options.rounds} rounds, timing: ${result.timing}; attention: ` +
                `${options.heads} heads x ${options.headDim}, self-attention of n tokens`);
    console.log(`${'kernel'.padEnd(18)}${pad('n', 6)}${pad('ms', 11)}${pad('GFLOP', 9)}${pad('GFLOP/s', 9)}`);
    for (const r of result.rows) {
      const figures = r.ok ?
        `${pad(r.ms.toFixed(1), 11)}${pad((r.flops / 1e9).toFixed(3), 9)}${pad(r.gflops.toFixed(3), 9)}` :
        `  ${r.message}`;
      console.log(`${r.kernel.padEnd(18)}${pad(r.size, 6)}${figures}`);
    }
    console.log(`\n${'speed-up'.padEnd(26)}${pad('n', 6)}${pad('ratio', 9)}`);
    for (const r of result.ratios) {
      console.log(`${r.what.padEnd(26)}${pad(r.size, 6)}${pad(r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`, 9)}`);
    }
    const matmul = result.ratios.filter((r) => r.what.startsWith('matmul'));
    const lowest = Math.min(...matmul.map((r) => (r.ratio === null ? 0 : r.ratio)));
    const pass = matmul.length > 0 && lowest >= TARGET_MATMUL_SPEEDUP;
    console.log(`\ntarget: tiled matmul >= ${TARGET_MATMUL_SPEEDUP}x naive at every size: ` +
                `${pass ? 'PASS' : 'FAIL'} (lowest ${lowest.toFixed(2)}x)`);
    if (problems.length) console.log(`page problems: ${problems.join('; ')}`);
    if (!pass) process.exitCode = 1;
  } finally {
    await session.close();
  }
}

main().catch((error) => {
  console.error(`webgpu_bench: ${error.message || error}`);
  process.exitCode = 1;
});
