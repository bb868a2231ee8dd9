// kernels.js: the WGSL kernels of one DiT block (shaders/*.wgsl) as dispatch "steps".
//
// A step is plain data: which kernel, its pipeline constants (the variant), the workgroup grid,
// the buffers it binds (by name, in binding order) and its uniform block, plus the FLOPs it does.
// Step builders check every adapter limit a dispatch can hit (workgroups per dimension,
// workgroup memory, shape rules) and throw a Refusal with a clear message instead of letting
// the device fail. web/gpu/plan.js allocates the buffers and runs steps; KernelLibrary compiles
// and caches one pipeline per (kernel, constants).
//
// FLOPs count 2 per multiply-add of what is dispatched (as in science.md section 4): a matmul
// 2 M N K; attention 4 n m d per sample (q k^T and p v). Elementwise work (epilogues, softmax
// exponentials) is not counted, except LayerNorm, which has no multiply-adds and counts
// 8 FLOPs per element (6 without modulation).

// A request the adapter cannot serve (too large, bad shape). The public API turns it into a
// {ok: false, message} result.
export class Refusal extends Error {}

// Binding kinds of each kernel in binding order: 'read' (read-only storage), 'write'
// (read_write storage), 'uniform'.
export const KERNEL_BINDINGS = {
  matmul_tiled: ['read', 'read', 'write', 'read', 'read', 'read', 'uniform'],
  matmul_naive: ['read', 'read', 'write', 'uniform'],
  layernorm_modulate: ['read', 'write', 'read', 'uniform'],
  attention_flash: ['read', 'read', 'read', 'write', 'uniform'],
  attention_naive_scores: ['read', 'read', 'write', 'uniform'],
  attention_naive_softmax: ['write', 'uniform'],
  attention_naive_values: ['read', 'read', 'write', 'uniform'],
};

export const EPILOGUES = ['none', 'bias', 'bias_gelu', 'bias_residual', 'bias_gated_residual'];

// Name of the placeholder buffer bound where a kernel variant reads nothing.
export const DUMMY = '__dummy';

const SHADER_DIR = new URL('../shaders/', import.meta.url);

function u32Block(values, floats = {}) {
  // A uniform block of u32 fields, some of them f32 (by index), padded to 16 bytes.
  const words = Math.ceil(values.length / 4) * 4;
  const buffer = new ArrayBuffer(words * 4);
  const u32 = new Uint32Array(buffer);
  const f32 = new Float32Array(buffer);
  values.forEach((value, i) => {
    if (floats[i]) f32[i] = value;
    else u32[i] = value;
  });
  return buffer;
}

function ceilDiv(a, b) { return Math.ceil(a / b); }

function positiveInteger(value, name) {
  if (!Number.isInteger(value) || value <= 0) {
    throw new Refusal(`${name} must be a positive integer (got ${value})`);
  }
  if (value > 0xffffffff / 4) throw new Refusal(`${name} = ${value} is too large`);
}

function multipleOf4(value, name) {
  if (value % 4 !== 0) {
    throw new Refusal(`${name} = ${value} must be a multiple of 4 (rows are read as vec4)`);
  }
}

function checkGrid(groups, limits, label) {
  const max = limits.maxComputeWorkgroupsPerDimension || 65535;
  groups.forEach((count, axis) => {
    if (count > max) {
      throw new Refusal(`${label}: ${count} workgroups along ${'xyz'[axis]} is over this adapter's ` +
                        `maxComputeWorkgroupsPerDimension of ${max}; use a smaller size`);
    }
  });
}

function checkWorkgroupMemory(bytes, limits, label) {
  const max = limits.maxComputeWorkgroupStorageSize || 16384;
  if (bytes > max) {
    throw new Refusal(`${label}: needs ${bytes} bytes of workgroup memory, over this adapter's ` +
                      `maxComputeWorkgroupStorageSize of ${max}`);
  }
}

function checkThreads(threads, limits, label) {
  const max = limits.maxComputeInvocationsPerWorkgroup || 256;
  if (threads > max) {
    throw new Refusal(`${label}: ${threads} threads per workgroup is over this adapter's ` +
                      `maxComputeInvocationsPerWorkgroup of ${max}`);
  }
}

// Splits `count` workgroups over x and y so neither exceeds 65535 (the kernel recombines them).
function splitGrid(count) {
  const x = Math.min(count, 65535);
  return [x, ceilDiv(count, x), 1];
}

// C = epilogue(A B) with the tiled kernel. a [m, k], b [k, n], out [m, n]; bias [n];
// residual [m, n]; modulation [samples, gateStride] holding the gate at column gateOffset.
export function matmulTiledStep(limits, {
  label = 'matmul', a, b, out, bias = DUMMY, residual = DUMMY, modulation = DUMMY, m, n, k,
  epilogue = 'none', siluA = false, rowsPerSample = m, gateOffset = 0, gateStride = 0,
  tile = 32, tileM = tile, tileK = 32, workgroups = 0,
}) {
  positiveInteger(m, `${label}: rows`);
  positiveInteger(n, `${label}: columns`);
  positiveInteger(k, `${label}: inner size`);
  multipleOf4(n, `${label}: columns`);
  multipleOf4(k, `${label}: inner size`);
  const epilogueIndex = EPILOGUES.indexOf(epilogue);
  if (epilogueIndex < 0) throw new Refusal(`${label}: unknown epilogue '${epilogue}'`);
  if (![16, 32, 64].includes(tile)) throw new Refusal(`${label}: tile must be 16, 32 or 64`);
  if (![4, 8, 16, 32, 64].includes(tileM)) throw new Refusal(`${label}: tile rows must be 4 to 64`);
  if (![16, 32, 64].includes(tileK)) throw new Refusal(`${label}: tile depth must be 16, 32 or 64`);
  if (epilogue === 'bias_gated_residual') {
    positiveInteger(rowsPerSample, `${label}: rows per sample`);
    multipleOf4(gateOffset, `${label}: gate offset`);
    multipleOf4(gateStride, `${label}: gate stride`);
  }
  // One workgroup per tile, or `workgroups` (or the per-dimension limit) looping over the tiles.
  const maxPerDimension = limits.maxComputeWorkgroupsPerDimension || 65535;
  const tilesPerRow = ceilDiv(n, tile);
  const tileRows = ceilDiv(m, tileM);
  const tiles = tilesPerRow * tileRows;
  let groups = [tilesPerRow, tileRows, 1];
  if (workgroups > 0 && tiles > workgroups) groups = [Math.min(workgroups, maxPerDimension), 1, 1];
  else if (tilesPerRow > maxPerDimension || tileRows > maxPerDimension) groups = [Math.min(tiles, maxPerDimension), 1, 1];
  checkThreads((tileM / 4) * (tile / 4), limits, label);
  const workgroupBytes = (tileM + tile) * tileK * 4;
  checkWorkgroupMemory(workgroupBytes, limits, label);
  return {
    label, kernel: 'matmul_tiled',
    constants: { TILE_M: tileM, TILE_N: tile, TILE_K: tileK },
    groups,
    bindings: [a, b, out, bias, residual, modulation],
    uniform: u32Block([m, n, k, rowsPerSample || 1, gateOffset, gateStride, epilogueIndex,
                       siluA ? 1 : 0]),
    flops: 2 * m * n * k,
    workgroupBytes,
  };
}

// Settings that depend on the kind of adapter rather than its limits. On a software (CPU) adapter
// the tiled matmul runs as 16 workgroups that loop over the tiles: SwiftShader runs at most 16
// workgroups of a dispatch in parallel and sets each one up at a cost (a coroutine per 4
// invocations), so one workgroup per tile spends a third of a 256^3 product on set-up.
export function tuningFor(gpu) {
  return { matmulWorkgroups: gpu && gpu.fallback ? 16 : 0 };
}

// Tile rows for a matmul of m rows: the tile itself, or fewer rows when m is small (the adaLN
// modulation has one row per sample): idle threads still cost a workgroup slot on a GPU and a
// coroutine each on a CPU adapter.
export function tileRowsFor(m, tile = 32) {
  let rows = 4;
  while (rows < m && rows < tile) rows *= 2;
  return rows;
}

// C = A B with the naive kernel (any sizes).
export function matmulNaiveStep(limits, { label = 'matmul naive', a, b, out, m, n, k }) {
  positiveInteger(m, `${label}: rows`);
  positiveInteger(n, `${label}: columns`);
  positiveInteger(k, `${label}: inner size`);
  const groups = [ceilDiv(n, 16), ceilDiv(m, 16), 1];
  checkGrid(groups, limits, label);
  return {
    label, kernel: 'matmul_naive', constants: { WG_X: 16, WG_Y: 16 }, groups,
    bindings: [a, b, out], uniform: u32Block([m, n, k, 0]), flops: 2 * m * n * k,
    workgroupBytes: 0,
  };
}

// out = LN(x) (* (1 + scale) + shift when modulation is given). x, out [rows, width];
// modulation [samples, modStride] with shift and scale at columns shiftOffset, scaleOffset.
export function layerNormStep(limits, {
  label = 'layernorm', x, out, modulation = null, rows, width, rowsPerSample = rows,
  modStride = 0, shiftOffset = 0, scaleOffset = 0, epsilon = 1e-6,
}) {
  positiveInteger(rows, `${label}: rows`);
  positiveInteger(width, `${label}: width`);
  multipleOf4(width, `${label}: width`);
  const modulate = modulation !== null;
  if (modulate) {
    positiveInteger(rowsPerSample, `${label}: rows per sample`);
    for (const [value, name] of [[modStride, 'stride'], [shiftOffset, 'shift offset'],
                                 [scaleOffset, 'scale offset']]) {
      multipleOf4(value, `${label}: modulation ${name}`);
    }
  }
  const groups = splitGrid(rows);
  checkGrid(groups, limits, label);
  // Threads per row: a power of two giving each thread at least 4 vec4 of the row, 4 to 64.
  let threads = 4;
  while (threads < 64 && threads * 16 <= width) threads *= 2;
  return {
    label, kernel: 'layernorm_modulate', constants: { WORKGROUP_SIZE: threads, MODULATE: modulate ? 1 : 0 },
    groups, bindings: [x, out, modulate ? modulation : DUMMY],
    uniform: u32Block([rows, width, rowsPerSample || 1, modStride, shiftOffset, scaleOffset, epsilon, 0],
                      { 6: true }),
    flops: (modulate ? 8 : 6) * rows * width,
    workgroupBytes: threads * 4,
  };
}

// Checks the shared attention arguments; returns the head dimension.
function attentionShape(label, { queries, keys, heads, width, samples }) {
  for (const [value, name] of [[queries, 'queries'], [keys, 'keys'], [heads, 'heads'],
                               [width, 'width'], [samples, 'samples']]) {
    positiveInteger(value, `${label}: ${name}`);
  }
  if (width % heads !== 0) throw new Refusal(`${label}: width ${width} is not a multiple of heads ${heads}`);
  return width / heads;
}

// Attention with the online-softmax kernel. q rows [samples * queries] read at qStride/qOffset,
// k and v rows [samples * keys] at kvStride and kOffset/vOffset, out at oStride/oOffset; width
// = heads * head dimension.
export function attentionFlashStep(limits, {
  label = 'attention', q, k, v, out, queries, keys, heads, width, samples = 1,
  qStride = width, kvStride = width, oStride = width, qOffset = 0, kOffset = 0, vOffset = 0,
  oOffset = 0, blockQ = 32, blockKv = 32,
}) {
  const headDim = attentionShape(label, { queries, keys, heads, width, samples });
  multipleOf4(headDim, `${label}: head dimension`);
  if (headDim > 128) {
    throw new Refusal(`${label}: head dimension ${headDim} is over the kernel's 128 (private registers)`);
  }
  for (const [value, name] of [[qStride, 'q stride'], [kvStride, 'kv stride'], [oStride, 'out stride'],
                               [qOffset, 'q offset'], [kOffset, 'k offset'], [vOffset, 'v offset'],
                               [oOffset, 'out offset']]) {
    multipleOf4(value, `${label}: ${name}`);
  }
  if (![8, 16, 32, 64, 128, 256].includes(blockQ)) throw new Refusal(`${label}: blockQ must be a power of two, 8 to 256`);
  if (![4, 8, 16, 32, 64].includes(blockKv)) throw new Refusal(`${label}: blockKv must be a power of two, 4 to 64`);
  // The largest key tile (power of two, at most blockKv) whose k and v tiles fit workgroup memory.
  const maxBytes = limits.maxComputeWorkgroupStorageSize || 16384;
  let tileKeys = blockKv;
  while (tileKeys > 1 && 2 * tileKeys * headDim * 4 > maxBytes) tileKeys /= 2;
  const workgroupBytes = 2 * tileKeys * headDim * 4;
  checkWorkgroupMemory(workgroupBytes, limits, label);
  checkThreads(blockQ, limits, label);
  const groups = [ceilDiv(queries, blockQ), heads, samples];
  checkGrid(groups, limits, label);
  return {
    label, kernel: 'attention_flash',
    constants: { BLOCK_Q: blockQ, BLOCK_KV: tileKeys, HEAD_DIM: headDim },
    groups, bindings: [q, k, v, out],
    uniform: u32Block([queries, keys, qStride, kvStride, oStride, qOffset, kOffset, vOffset, oOffset,
                       1 / Math.sqrt(headDim), 0, 0], { 9: true }),
    flops: 4 * samples * queries * keys * width,
    workgroupBytes,
  };
}

// Naive attention: three steps through a materialised [samples * heads, queries, keys] score
// buffer `scores` (its size is checked against the storage binding limit by the plan).
export function attentionNaiveSteps(limits, {
  label = 'attention naive', q, k, v, out, scores, queries, keys, heads, width, samples = 1,
  qStride = width, kvStride = width, oStride = width, qOffset = 0, kOffset = 0, vOffset = 0,
  oOffset = 0,
}) {
  const headDim = attentionShape(label, { queries, keys, heads, width, samples });
  const scoreGroups = [ceilDiv(keys, 16), ceilDiv(queries, 16), samples * heads];
  const rows = samples * heads * queries;
  const softmaxGroups = splitGrid(ceilDiv(rows, 64));
  const valueGroups = [ceilDiv(headDim, 16), ceilDiv(queries, 16), samples * heads];
  for (const groups of [scoreGroups, softmaxGroups, valueGroups]) checkGrid(groups, limits, label);
  const halfFlops = 2 * samples * queries * keys * width;
  return [
    {
      label: `${label}: scores`, kernel: 'attention_naive_scores', constants: { WG_X: 16, WG_Y: 16 },
      groups: scoreGroups, bindings: [q, k, scores],
      uniform: u32Block([queries, keys, heads, headDim, qStride, kvStride, qOffset, kOffset,
                         1 / Math.sqrt(headDim), 0, 0, 0], { 8: true }),
      flops: halfFlops, workgroupBytes: 0,
    },
    {
      label: `${label}: softmax`, kernel: 'attention_naive_softmax', constants: { WORKGROUP_SIZE: 64 },
      groups: softmaxGroups, bindings: [scores], uniform: u32Block([rows, keys, 0, 0]), flops: 0,
      workgroupBytes: 0,
    },
    {
      label: `${label}: values`, kernel: 'attention_naive_values', constants: { WG_X: 16, WG_Y: 16 },
      groups: valueGroups, bindings: [scores, v, out],
      uniform: u32Block([queries, keys, heads, headDim, kvStride, oStride, vOffset, oOffset]),
      flops: halfFlops, workgroupBytes: 0,
    },
  ];
}

// Loads shaders/NAME.wgsl and compiles one pipeline per (kernel, constants), with an explicit
// bind group layout per kernel (bindings an epilogue does not read stay in the layout).
export class KernelLibrary {
  constructor(device) {
    this.device = device;
    this.sources = new Map();
    this.modules = new Map();
    this.layouts = new Map();
    this.pipelines = new Map();
  }

  async source(kernel) {
    if (!this.sources.has(kernel)) {
      this.sources.set(kernel, (async () => {
        const response = await fetch(new URL(`${kernel}.wgsl`, SHADER_DIR));
        if (!response.ok) throw new Error(`shaders/${kernel}.wgsl: HTTP ${response.status}`);
        return response.text();
      })());
    }
    return this.sources.get(kernel);
  }

  layout(kernel) {
    if (!this.layouts.has(kernel)) {
      const kinds = KERNEL_BINDINGS[kernel];
      if (!kinds) throw new Error(`unknown kernel ${kernel}`);
      const bindGroupLayout = this.device.createBindGroupLayout({
        label: kernel,
        entries: kinds.map((kind, binding) => ({
          binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: kind === 'uniform' ? 'uniform' : kind === 'write' ? 'storage' : 'read-only-storage' },
        })),
      });
      this.layouts.set(kernel, {
        bindGroupLayout,
        pipelineLayout: this.device.createPipelineLayout({ bindGroupLayouts: [bindGroupLayout] }),
      });
    }
    return this.layouts.get(kernel);
  }

  async module(kernel) {
    if (!this.modules.has(kernel)) {
      this.modules.set(kernel, (async () => {
        const code = await this.source(kernel);
        const module = this.device.createShaderModule({ label: kernel, code });
        const info = await module.getCompilationInfo();
        const errors = info.messages.filter((m) => m.type === 'error');
        if (errors.length) {
          throw new Error(`shaders/${kernel}.wgsl: ${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`);
        }
        return module;
      })());
    }
    return this.modules.get(kernel);
  }

  async pipeline(kernel, constants) {
    const key = `${kernel}|${Object.keys(constants).sort().map((name) => `${name}=${constants[name]}`).join(',')}`;
    if (!this.pipelines.has(key)) {
      const promise = (async () => {
        const module = await this.module(kernel);
        this.device.pushErrorScope('validation');
        let pipeline = null;
        let failure = null;
        try {
          pipeline = await this.device.createComputePipelineAsync({
            label: key, layout: this.layout(kernel).pipelineLayout,
            compute: { module, entryPoint: 'main', constants },
          });
        } catch (error) {
          failure = error;
        }
        const scoped = await this.device.popErrorScope();
        if (failure || scoped) throw new Error(`pipeline ${key}: ${(failure || scoped).message}`);
        return pipeline;
      })();
      promise.catch(() => this.pipelines.delete(key));  // let a later call retry
      this.pipelines.set(key, promise);
    }
    return this.pipelines.get(key);
  }
}
