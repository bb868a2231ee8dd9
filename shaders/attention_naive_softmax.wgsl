// attention_naive_softmax.wgsl: second kernel of the naive attention: replaces every row of the
// materialised scores (attention_naive_scores.wgsl) by its softmax, in place. One row per thread,
// three passes over the row (max, sum of exponentials, normalise), all in global memory.
//
// Overrides: WORKGROUP_SIZE  threads per workgroup (default 64).
// Uniform block `params` (16 bytes, four u32): 0 rows (samples * heads * queries), 1 keys (floats
// per row), 2, 3 padding.
// Bindings (group 0): 0 scores (read_write), 1 params.
// Dispatch: (min(G, 65535), ceil(G / 65535), 1) with G = ceil(rows / WORKGROUP_SIZE);
// row = global_invocation_id.x + global_invocation_id.y * num_workgroups.x * WORKGROUP_SIZE.

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  rows: u32,
  keys: u32,
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<storage, read_write> scores: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE, 1u, 1u)
fn main(@builtin(global_invocation_id) gid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let row = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (row >= params.rows) {
    return;
  }
  let base = row * params.keys;
  var row_max = scores[base];
  for (var j = 1u; j < params.keys; j++) {
    row_max = max(row_max, scores[base + j]);
  }
  var sum = 0.0;
  for (var j = 0u; j < params.keys; j++) {
    let p = exp(scores[base + j] - row_max);
    scores[base + j] = p;
    sum += p;
  }
  let inv_sum = 1.0 / sum;
  for (var j = 0u; j < params.keys; j++) {
    scores[base + j] *= inv_sum;
  }
}
