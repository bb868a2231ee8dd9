// plan.js: runs a plan of kernel steps (web/gpu/kernels.js) on the device.
//
// A plan is plain data: { buffers: {name: floatCount}, steps: [step, ...] }. checkPlan() refuses a
// plan that exceeds the adapter's buffer limits before anything is allocated; PreparedPlan
// allocates the buffers (inside error scopes, so an allocation failure is a message, not a lost
// device), writes the inputs, builds the bind groups, and encodes the steps, one compute pass each
// (so each can carry its own timestamp writes).
//
//   checkPlan(plan, gpu.limits);                        // throws Refusal
//   const run = await PreparedPlan.create(gpu, library, plan, { x: xFloats });
//   const encoder = gpu.device.createCommandEncoder();
//   run.encode(encoder);
//   gpu.device.queue.submit([encoder.finish()]);
//   const y = await run.read('out');                     // Float32Array
//   run.destroy();

import { DUMMY, Refusal } from './kernels.js';

// Total buffer memory one plan may use. A guard for the page (an integrated GPU shares the
// system's memory), well above any size the kernel lab or the app asks for by default.
export const MAX_PLAN_BYTES = 2 * 1024 ** 3;

function bytesOf(floats) { return Math.max(16, Math.ceil((floats * 4) / 16) * 16); }

export function formatBytes(bytes) {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${Math.round(bytes / 1024)} KiB`;
}

// Throws a Refusal when a buffer exceeds maxStorageBufferBindingSize or maxBufferSize, when the
// whole plan needs more than MAX_PLAN_BYTES, or when a step binds an unknown buffer.
export function checkPlan(plan, limits, maxTotalBytes = MAX_PLAN_BYTES) {
  const maxBinding = limits.maxStorageBufferBindingSize || 134217728;
  const maxBuffer = limits.maxBufferSize || 268435456;
  let total = 0;
  for (const [name, floats] of Object.entries(plan.buffers)) {
    if (!Number.isFinite(floats) || floats < 0) throw new Refusal(`buffer ${name}: bad size ${floats}`);
    const bytes = bytesOf(floats);
    if (bytes > maxBinding) {
      throw new Refusal(`buffer '${name}' needs ${formatBytes(bytes)}, over this adapter's ` +
                        `maxStorageBufferBindingSize of ${formatBytes(maxBinding)}; use fewer tokens ` +
                        'or a smaller width');
    }
    if (bytes > maxBuffer) {
      throw new Refusal(`buffer '${name}' needs ${formatBytes(bytes)}, over this adapter's ` +
                        `maxBufferSize of ${formatBytes(maxBuffer)}`);
    }
    total += bytes;
  }
  if (total > maxTotalBytes) {
    throw new Refusal(`the buffers need ${formatBytes(total)} in all, over the ${formatBytes(maxTotalBytes)} ` +
                      'this page allows itself');
  }
  for (const step of plan.steps) {
    for (const name of step.bindings) {
      if (name !== DUMMY && !(name in plan.buffers)) throw new Error(`${step.label}: no buffer '${name}'`);
    }
  }
  return total;
}

export class PreparedPlan {
  constructor(gpu, plan) {
    this.gpu = gpu;
    this.plan = plan;
    this.buffers = new Map();
    this.owned = [];
    this.steps = [];
  }

  // Allocates, uploads `inputs` ({name: Float32Array}) and compiles. Throws a Refusal when the
  // device cannot allocate or validate; everything allocated so far is released first.
  static async create(gpu, library, plan, inputs = {}) {
    const run = new PreparedPlan(gpu, plan);
    try {
      await run.allocate(inputs);
      const pipelines = await Promise.all(plan.steps.map((s) => library.pipeline(s.kernel, s.constants)));
      await run.bind(library, pipelines);
    } catch (error) {
      run.destroy();
      throw error;
    }
    return run;
  }

  async allocate(inputs) {
    const { device } = this.gpu;
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const make = (label, size, bufferUsage) => {
      const buffer = device.createBuffer({ label, size, usage: bufferUsage });
      this.owned.push(buffer);
      return buffer;
    };
    this.buffers.set(DUMMY, make(DUMMY, 16, usage));
    for (const [name, floats] of Object.entries(this.plan.buffers)) {
      this.buffers.set(name, make(name, bytesOf(floats), usage));
    }
    for (const [name, data] of Object.entries(inputs)) {
      const buffer = this.buffers.get(name);
      if (!buffer) throw new Error(`input '${name}' is not a buffer of the plan`);
      if (data.length > this.plan.buffers[name]) throw new Error(`input '${name}' is too long`);
      device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    }
    const validation = await device.popErrorScope();
    const memory = await device.popErrorScope();
    if (memory || validation) {
      throw new Refusal(`the device could not allocate the buffers: ${(memory || validation).message}`);
    }
  }

  async bind(library, pipelines) {
    const { device } = this.gpu;
    device.pushErrorScope('validation');
    this.plan.steps.forEach((step, i) => {
      const uniform = device.createBuffer({
        label: `${step.label} params`, size: step.uniform.byteLength,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      this.owned.push(uniform);
      device.queue.writeBuffer(uniform, 0, step.uniform);
      const entries = step.bindings.map((name, binding) => ({
        binding, resource: { buffer: this.buffers.get(name) },
      }));
      entries.push({ binding: entries.length, resource: { buffer: uniform } });
      const bindGroup = device.createBindGroup({
        label: step.label, layout: library.layout(step.kernel).bindGroupLayout, entries,
      });
      this.steps.push({ step, pipeline: pipelines[i], bindGroup });
    });
    const error = await device.popErrorScope();
    if (error) throw new Refusal(`the device refused a bind group: ${error.message}`);
  }

  // Encodes steps [first, last) (all by default), one compute pass each. timestamps(i) may return
  // the pass's timestampWrites.
  encode(encoder, { first = 0, last = this.steps.length, timestamps = null } = {}) {
    for (let i = first; i < last; i++) {
      const { step, pipeline, bindGroup } = this.steps[i];
      const descriptor = { label: step.label };
      if (timestamps) descriptor.timestampWrites = timestamps(i);
      const pass = encoder.beginComputePass(descriptor);
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(...step.groups);
      pass.end();
    }
  }

  // Runs every step once and waits for the device.
  async run() {
    const { device } = this.gpu;
    device.pushErrorScope('validation');
    const encoder = device.createCommandEncoder();
    this.encode(encoder);
    device.queue.submit([encoder.finish()]);
    const error = await device.popErrorScope();
    await device.queue.onSubmittedWorkDone();
    if (error) throw new Error(`the device refused the dispatches: ${error.message}`);
  }

  // Copies buffer `name` back: a Float32Array of the plan's float count.
  async read(name) {
    const { device } = this.gpu;
    const floats = this.plan.buffers[name];
    const source = this.buffers.get(name);
    const staging = device.createBuffer({
      size: bytesOf(floats), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(source, 0, staging, 0, bytesOf(floats));
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(staging.getMappedRange().slice(0, floats * 4));
    staging.unmap();
    staging.destroy();
    return out;
  }

  destroy() {
    for (const buffer of this.owned) buffer.destroy();
    this.owned = [];
    this.buffers.clear();
  }
}
