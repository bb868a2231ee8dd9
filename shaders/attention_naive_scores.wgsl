// attention_naive_scores.wgsl: first of the three kernels of the naive attention (the baseline of
// attention_flash.wgsl): materialises the scores S[s, h, i, j] = scale * q_i . k_j of every sample
// s, head h, query i and key j in a [samples * heads, queries, keys] buffer. One score per thread,
// scalar loads from global memory. Then attention_naive_softmax.wgsl and attention_naive_values.wgsl.
//
// Overrides: WG_X, WG_Y  workgroup size (default 16 x 16); x runs over keys, y over queries.
// Uniform block `params` (48 bytes):
//   0 queries: u32    query rows per sample      1 keys: u32       key rows per sample
//   2 heads: u32                                 3 head_dim: u32   floats per head
//   4 q_stride: u32   floats per row of q        5 kv_stride: u32  floats per row of k
//   6 q_offset: u32   first column of head 0 in q  7 k_offset: u32 first column of head 0 in k
//   8 scale: f32      1 / sqrt(head_dim)         9..11 padding
// Bindings (group 0): 0 q, 1 k, 2 scores (read_write), 3 params.
// Dispatch: (ceil(keys / WG_X), ceil(queries / WG_Y), samples * heads).

override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;

struct Params {
  queries: u32,
  keys: u32,
  heads: u32,
  head_dim: u32,
  q_stride: u32,
  kv_stride: u32,
  q_offset: u32,
  k_offset: u32,
  scale: f32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read_write> scores: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG_X, WG_Y, 1u)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let key = gid.x;
  let query = gid.y;
  if (key >= params.keys || query >= params.queries) {
    return;
  }
  let sample = gid.z / params.heads;
  let head = gid.z % params.heads;
  let q_base = (sample * params.queries + query) * params.q_stride + params.q_offset +
               head * params.head_dim;
  let k_base = (sample * params.keys + key) * params.kv_stride + params.k_offset +
               head * params.head_dim;
  var sum = 0.0;
  for (var c = 0u; c < params.head_dim; c++) {
    sum += q[q_base + c] * k[k_base + c];
  }
  scores[(gid.z * params.queries + query) * params.keys + key] = sum * params.scale;
}
