// timing.js: how long each step of a prepared plan (web/gpu/plan.js) takes on the device.
//
// With 'timestamp-query' every step's compute pass writes a timestamp at its start and end; the
// plan runs `warmup` times untimed, then `repeats` times, and each step's time is the median over
// the repeats (the median, not the mean: a CPU adapter shares its cores with everything else on
// the machine and a single slow repeat should not move the figure).
// Without timestamps (or with mode 'wall-clock') each step is timed alone with performance.now()
// until queue.onSubmittedWorkDone(): after a warm-up dispatch, each sample submits enough
// dispatches of the step to last about 20 ms (at most 50), and the step's time is the median
// sample divided by its dispatch count; the block is timed the same way as a whole sequence.
// Wall-clock times include the submission overhead, so they read high for very short kernels.
//
//   const t = await timePlan(gpu, prepared, { repeats: 5 });
//   t.timing        'timestamp-query' | 'wall-clock'
//   t.stepMs[i]     median milliseconds of step i
//   t.totalMs       the whole plan: median over repeats of the sum of the steps (timestamps), or
//                   the median time of the whole sequence (wall clock)
//   t.wallMs        wall-clock milliseconds of one whole plan, for comparison

// Thrown between kernels when the caller's shouldStop() says why it must stop (cancelled, or its
// time budget ran out): GPU work is submitted a kernel at a time and awaited, so the page keeps
// drawing frames (a software adapter shares the GPU process with WebGL) and a stop takes effect
// within one kernel.
export class Stopped extends Error {}

function stopIfAsked(shouldStop) {
  const why = shouldStop ? shouldStop() : '';
  if (why) throw new Stopped(why);
}

const MAX_QUERIES = 4096;
const MAX_REPEATS = 100;  // repeats asked beyond this are clamped (the page must stay responsive)
const WALL_SAMPLE_MS = 20;
const MAX_DISPATCHES_PER_SAMPLE = 50;

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function settle(device) { await device.queue.onSubmittedWorkDone(); }

async function timeWithTimestamps(gpu, prepared, repeats, warmup, shouldStop) {
  const { device } = gpu;
  const steps = prepared.steps.length;
  const queries = 2 * steps;
  if (queries > MAX_QUERIES) return null;
  const querySet = device.createQuerySet({ type: 'timestamp', count: queries });
  const resolve = device.createBuffer({
    size: queries * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
  });
  const readback = device.createBuffer({
    size: queries * 8 * repeats, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    for (let w = 0; w < warmup; w++) {
      for (let i = 0; i < steps; i++) {
        stopIfAsked(shouldStop);
        const encoder = device.createCommandEncoder();
        prepared.encode(encoder, { first: i, last: i + 1 });
        device.queue.submit([encoder.finish()]);
        await settle(device);
      }
    }
    const start = performance.now();
    for (let r = 0; r < repeats; r++) {
      for (let i = 0; i < steps; i++) {  // a kernel at a time; the timestamps time the passes alone
        stopIfAsked(shouldStop);
        const encoder = device.createCommandEncoder();
        prepared.encode(encoder, {
          first: i, last: i + 1,
          timestamps: (j) => ({ querySet, beginningOfPassWriteIndex: 2 * j, endOfPassWriteIndex: 2 * j + 1 }),
        });
        device.queue.submit([encoder.finish()]);
        await settle(device);
      }
      const encoder = device.createCommandEncoder();
      encoder.resolveQuerySet(querySet, 0, queries, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, readback, r * queries * 8, queries * 8);
      device.queue.submit([encoder.finish()]);
    }
    await settle(device);
    const wallMs = (performance.now() - start) / repeats;
    await readback.mapAsync(GPUMapMode.READ);
    const stamps = new BigUint64Array(readback.getMappedRange().slice(0));
    readback.unmap();
    const samples = Array.from({ length: steps }, () => []);
    const totals = [];
    for (let r = 0; r < repeats; r++) {
      let total = 0;
      for (let i = 0; i < steps; i++) {
        const begin = stamps[r * queries + 2 * i];
        const end = stamps[r * queries + 2 * i + 1];
        const ms = end > begin ? Number(end - begin) / 1e6 : 0;
        samples[i].push(ms);
        total += ms;
      }
      totals.push(total);
    }
    const totalMs = median(totals);
    if (!(totalMs > 0)) return null;  // timestamps all zero: not usable on this adapter
    return { timing: 'timestamp-query', stepMs: samples.map(median), totalMs, wallMs };
  } finally {
    querySet.destroy();
    resolve.destroy();
    readback.destroy();
  }
}

// Median milliseconds of one encode(encoder) call, timed in batches of submissions.
async function wallClock(device, encodeOnce, repeats, warmup, shouldStop) {
  let warmMs = 0;
  for (let w = 0; w < Math.max(1, warmup); w++) {
    stopIfAsked(shouldStop);
    const encoder = device.createCommandEncoder();
    encodeOnce(encoder);
    const start = performance.now();
    device.queue.submit([encoder.finish()]);
    await settle(device);
    warmMs = performance.now() - start;
  }
  const batch = Math.min(MAX_DISPATCHES_PER_SAMPLE, Math.max(1, Math.round(WALL_SAMPLE_MS / Math.max(warmMs, 1e-3))));
  const samples = [];
  for (let r = 0; r < repeats; r++) {
    stopIfAsked(shouldStop);
    const encoder = device.createCommandEncoder();
    for (let b = 0; b < batch; b++) encodeOnce(encoder);
    const start = performance.now();
    device.queue.submit([encoder.finish()]);
    await settle(device);
    samples.push((performance.now() - start) / batch);
  }
  return median(samples);
}

async function timeWithWallClock(gpu, prepared, repeats, warmup, shouldStop) {
  const { device } = gpu;
  const stepMs = [];
  for (let i = 0; i < prepared.steps.length; i++) {
    stepMs.push(await wallClock(device, (encoder) => prepared.encode(encoder, { first: i, last: i + 1 }),
                                repeats, warmup, shouldStop));
  }
  const totalMs = await wallClock(device, (encoder) => prepared.encode(encoder), repeats, warmup, shouldStop);
  return { timing: 'wall-clock', stepMs, totalMs, wallMs: totalMs };
}

// mode: 'auto' (timestamps when the device has them), 'timestamp-query' or 'wall-clock'.
// shouldStop: optional () => '' to go on, or why to stop (thrown as Stopped between kernels).
export async function timePlan(gpu, prepared, { repeats = 5, warmup = 1, mode = 'auto', shouldStop = null } = {}) {
  const count = Math.min(MAX_REPEATS, Math.max(1, Math.floor(repeats) || 1));
  if (mode !== 'wall-clock' && gpu.timestampQuery) {
    const result = await timeWithTimestamps(gpu, prepared, count, warmup, shouldStop);
    if (result) return result;
  }
  return timeWithWallClock(gpu, prepared, count, warmup, shouldStop);
}
