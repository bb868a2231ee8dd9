// The planner's launchable plan and the Next runs section, driven through the test hook: practical
// shape and batch options, a forced batch, a bad width refused with its label, and the sweep
// designer's candidates in the results. One page load for every check.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, openPage, results, screenshotPath, setOption, waitForApp } from './harness.mjs';

let session;
before(async () => { session = await launch(); });
after(async () => { await session?.close(); });


test('the planner proposes a launchable shape and batch, and ranks the next runs', async () => {
  const { page, problems } = await openPage(session.browser, session.url, { height: 1400 });
  await waitForApp(page);
  await page.evaluate(() => window.scalecalc.app.selectPanel('planner'));
  assert.equal(await setOption(page, 'width_multiple', '128'), '');
  assert.equal(await setOption(page, 'batch_divisor', '64'), '');
  let r = await results(page);
  const plan = r.plan;
  assert.equal(plan.shape.width % 128, 0);
  assert.equal(plan.shape.heads * plan.shape.head_dim, plan.shape.width);
  assert.equal(plan.shape.depth, Math.round(plan.shape.depth));
  assert.equal(plan.params, 16 * plan.shape.depth * plan.shape.width ** 2);
  assert.equal(plan.batch_samples % 64, 0);
  assert.ok(plan.nearby_shapes.length >= 2);
  // The designer ranks candidates for this budget, best first.
  assert.ok(r.design.ok, r.design.message);
  assert.ok(r.design.candidates.length > 0);
  assert.ok(r.design.candidates.every((c, i, all) => i === 0 || all[i - 1].value >= c.value));
  // The allowance buys a set within it (the page screens, linearised), carried in the state.
  assert.equal(await setOption(page, 'design_allowance_flops', '2e19'), '');
  r = await results(page);
  assert.equal(r.design.allowance_flops, 2e19);
  assert.ok(r.design.recommended.cells.length > 0, JSON.stringify(r.design.warnings));
  assert.ok(r.design.recommended.flops <= 2e19);
  assert.equal(r.design.method, 'linearised');
  assert.equal(JSON.parse(await page.evaluate(() => window.scalecalc.app.stateJson())).design.allowance_flops, 2e19);
  assert.match(await setOption(page, 'design_allowance_flops', '-1'), /allowance/);
  // The simulation runs in a worker, with progress and cancel, and comes back as design --json.
  await page.evaluate(() => window.scalecalc.app.startDesignSimulation());
  await page.evaluate(() => window.scalecalc.app.cancelDesignSimulation());
  const cancelled = (await results(page)).design_simulation;
  assert.equal(cancelled.running, false);
  assert.equal(cancelled.message, 'cancelled');
  await page.evaluate(() => window.scalecalc.app.startDesignSimulation());
  assert.ok((await results(page)).design_simulation.running);
  const started = Date.now();
  let sim;
  for (;;) {
    sim = (await results(page)).design_simulation;
    if (!sim.running || Date.now() - started > 240000) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.ok(sim.ok && sim.has_result, sim.message);
  assert.equal(sim.result.method, 'simulated');
  assert.ok(sim.result.simulation.refits > 0 && sim.done > 0);
  assert.ok(sim.result.recommended.flops <= 2e19);
  assert.ok(sim.result.recommended.cells.length > 0);
  console.log(`design simulation: ${sim.seconds.toFixed(1)} s, ${sim.result.simulation.refits} refits`);
  await page.screenshot({ path: screenshotPath('planner-next-runs-simulated') });
  await page.screenshot({ path: screenshotPath('planner-next-runs') });

  // 4x the batch costs loss (the example sweep has a sensitivity fit).
  const forced = String(4 * plan.batch_tokens);
  assert.equal(await setOption(page, 'batch_tokens', forced), '');
  r = await results(page);
  assert.ok(r.plan.hyperparameter_penalty > 0);
  assert.ok(r.plan.loss > r.plan.free_optimum.loss);
  // A width of no whole heads is refused, naming the control.
  const message = await setOption(page, 'width', '1000');
  assert.match(message, /forced width/);
  assert.doesNotMatch(message, /forced_width|plan\./);
  await page.screenshot({ path: screenshotPath('planner-launch') });
  assert.deepEqual(problems, []);
});
