// layernorm_modulate.wgsl: row-wise LayerNorm without affine weights, fused with DiT's adaLN
// modulation: out = x_hat * (1 + scale[sample]) + shift[sample], x_hat = (x - mean) / sqrt(var + eps)
// (biased variance, two passes over the row so there is no E[x^2] - E[x]^2 cancellation).
// One workgroup per row; its threads stride over the row's vec4 and reduce through workgroup
// memory. The width must be a multiple of 4.
//
// Overrides:
//   WORKGROUP_SIZE  threads per row, a power of two (default 64)
//   MODULATE        1: apply shift and scale (per sample); 0: plain LayerNorm
// Workgroup memory: WORKGROUP_SIZE * 4 bytes.
//
// Uniform block `params` (32 bytes):
//   0 rows: u32             rows of x
//   1 width: u32            floats per row (multiple of 4)
//   2 rows_per_sample: u32  rows per sample: the modulation row is row / rows_per_sample
//   3 mod_stride: u32       floats per row of `modulation` (multiple of 4)
//   4 shift_offset: u32     first column of shift in `modulation` (multiple of 4)
//   5 scale_offset: u32     first column of scale in `modulation` (multiple of 4)
//   6 epsilon: f32
//   7 padding
// Bindings (group 0): 0 x, 1 out (read_write, must not alias x), 2 modulation, 3 params.
// Dispatch: (min(rows, 65535), ceil(rows / 65535), 1); row = wid.x + wid.y * num_workgroups.x.

override WORKGROUP_SIZE: u32 = 64u;
override MODULATE: bool = true;

struct Params {
  rows: u32,
  width: u32,
  rows_per_sample: u32,
  mod_stride: u32,
  shift_offset: u32,
  scale_offset: u32,
  epsilon: f32,
  pad0: u32,
}

@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> modulation: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> params: Params;

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

// Sum of `value` over the workgroup (every thread gets the total).
fn workgroup_sum(lindex: u32, value: f32) -> f32 {
  partial[lindex] = value;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (lindex < stride) {
      partial[lindex] += partial[lindex + stride];
    }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();  // partial is reused by the next call
  return total;
}

@compute @workgroup_size(WORKGROUP_SIZE, 1u, 1u)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lindex: u32) {
  let row = wid.x + wid.y * groups.x;
  if (row >= params.rows) {
    return;  // whole workgroup: row is uniform
  }
  let w4 = params.width / 4u;
  let base = row * w4;

  var sum = 0.0;
  for (var i = lindex; i < w4; i += WORKGROUP_SIZE) {
    sum += dot(x[base + i], vec4<f32>(1.0));
  }
  let mean = workgroup_sum(lindex, sum) / f32(params.width);

  var squares = 0.0;
  for (var i = lindex; i < w4; i += WORKGROUP_SIZE) {
    let centered = x[base + i] - mean;
    squares += dot(centered, centered);
  }
  let variance = workgroup_sum(lindex, squares) / f32(params.width);
  let inv_std = inverseSqrt(variance + params.epsilon);

  let mod_row = (row / params.rows_per_sample) * params.mod_stride;
  for (var i = lindex; i < w4; i += WORKGROUP_SIZE) {
    var v = (x[base + i] - mean) * inv_std;
    if (MODULATE) {
      let shift = modulation[(mod_row + params.shift_offset) / 4u + i];
      let scale = modulation[(mod_row + params.scale_offset) / 4u + i];
      v = v * (1.0 + scale) + shift;
    }
    out[base + i] = v;
  }
}
