// attention_naive_values.wgsl: third kernel of the naive attention: out = P v, with P the
// softmax-normalised scores of attention_naive_softmax.wgsl ([samples * heads, queries, keys]).
// One output element per thread, scalar loads from global memory.
//
// Overrides: WG_X, WG_Y  workgroup size (default 16 x 16); x runs over the head's columns, y over
// queries.
// Uniform block `params` (32 bytes, eight u32):
//   0 queries   query rows per sample         1 keys      key rows per sample
//   2 heads                                   3 head_dim  floats per head
//   4 v_stride  floats per row of v           5 o_stride  floats per row of out
//   6 v_offset  first column of head 0 in v   7 o_offset  first column of head 0 in out
// Bindings (group 0): 0 probabilities, 1 v, 2 out (read_write), 3 params.
// Dispatch: (ceil(head_dim / WG_X), ceil(queries / WG_Y), samples * heads).

override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;

struct Params {
  queries: u32,
  keys: u32,
  heads: u32,
  head_dim: u32,
  v_stride: u32,
  o_stride: u32,
  v_offset: u32,
  o_offset: u32,
}

@group(0) @binding(0) var<storage, read> probabilities: array<f32>;
@group(0) @binding(1) var<storage, read> v: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG_X, WG_Y, 1u)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let column = gid.x;
  let query = gid.y;
  if (column >= params.head_dim || query >= params.queries) {
    return;
  }
  let sample = gid.z / params.heads;
  let head = gid.z % params.heads;
  let p_base = (gid.z * params.queries + query) * params.keys;
  let v_column = params.v_offset + head * params.head_dim + column;
  var sum = 0.0;
  for (var j = 0u; j < params.keys; j++) {
    sum += probabilities[p_base + j] * v[(sample * params.keys + j) * params.v_stride + v_column];
  }
  let o_row = sample * params.queries + query;
  out[o_row * params.o_stride + params.o_offset + head * params.head_dim + column] = sum;
}
