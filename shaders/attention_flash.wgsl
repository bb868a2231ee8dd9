// attention_flash.wgsl: multi-head scaled dot-product attention, out = softmax(q k^T * scale) v,
// with an online softmax over key/value tiles so the n x m score matrix is never stored.
//
// One workgroup handles BLOCK_Q query rows of one head of one sample, one thread per query row:
// the thread keeps its (pre-scaled) q row and its output accumulator in registers. Keys and values
// stream through workgroup memory BLOCK_KV rows at a time; for each tile the thread computes its
// scores, raises its running maximum, rescales the accumulator and running sum by
// exp(old max - new max), and adds exp(score - max) * v. At the end out = accumulator / sum.
// Cross-attention is the same kernel with keys != queries (M text tokens). Query and key counts need
// not be multiples of the blocks (bounds checks; masked keys are skipped).
//
// Rows of q, k, v and out are read at a row stride and column offset, so q, k and v can be column
// ranges of one fused projection ([q | k | v] per row) bound three times. Head h of a row uses
// columns offset + h * HEAD_DIM .. + HEAD_DIM. Strides and offsets are in floats, multiples of 4.
// Sample s's queries are rows s * queries .., its keys rows s * keys ...
//
// Overrides:
//   BLOCK_Q   query rows (= threads) per workgroup (default 32)
//   BLOCK_KV  keys per tile, at most MAX_BLOCK_KV (default 32)
//   HEAD_DIM  floats per head, a multiple of 4, at most 4 * MAX_HEAD_VEC4 = 128 (default 64)
// Workgroup memory: 2 * BLOCK_KV * HEAD_DIM * 4 bytes (16 KiB at 32 x 64); the host lowers
// BLOCK_KV to fit the adapter's maxComputeWorkgroupStorageSize.
//
// Uniform block `params` (48 bytes):
//   0 queries: u32   query rows per sample (n)
//   1 keys: u32      key rows per sample (m)
//   2 q_stride: u32  floats per row of q
//   3 kv_stride: u32 floats per row of k and v
//   4 o_stride: u32  floats per row of out
//   5 q_offset: u32  first column of head 0 in q
//   6 k_offset: u32  first column of head 0 in k
//   7 v_offset: u32  first column of head 0 in v
//   8 o_offset: u32  first column of head 0 in out
//   9 scale: f32     softmax scale, 1 / sqrt(HEAD_DIM)
//   10, 11 padding
// Bindings (group 0): 0 q, 1 k, 2 v (may be the same buffer), 3 out (read_write), 4 params.
// Dispatch: (ceil(queries / BLOCK_Q), heads, samples).

override BLOCK_Q: u32 = 32u;
override BLOCK_KV: u32 = 32u;
override HEAD_DIM: u32 = 64u;

const MAX_HEAD_VEC4: u32 = 32u;  // private q and accumulator: head dims up to 128
const MAX_BLOCK_KV: u32 = 64u;   // private scores of one tile

struct Params {
  queries: u32,
  keys: u32,
  q_stride: u32,
  kv_stride: u32,
  o_stride: u32,
  q_offset: u32,
  k_offset: u32,
  v_offset: u32,
  o_offset: u32,
  scale: f32,
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<storage, read> q_in: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> k_in: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> v_in: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> k_tile: array<vec4<f32>, BLOCK_KV * HEAD_DIM / 4u>;
var<workgroup> v_tile: array<vec4<f32>, BLOCK_KV * HEAD_DIM / 4u>;

@compute @workgroup_size(BLOCK_Q, 1u, 1u)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lindex: u32) {
  let d4 = HEAD_DIM / 4u;
  let head = wid.y;
  let sample = wid.z;
  let query = wid.x * BLOCK_Q + lindex;
  let valid = query < params.queries;
  // Threads past the last query still help load tiles; they read a valid row and write nothing.
  let q_row = sample * params.queries + min(query, params.queries - 1u);
  let q_base = (q_row * params.q_stride + params.q_offset + head * HEAD_DIM) / 4u;

  var q: array<vec4<f32>, MAX_HEAD_VEC4>;
  var acc: array<vec4<f32>, MAX_HEAD_VEC4>;
  var scores: array<f32, MAX_BLOCK_KV>;
  for (var i = 0u; i < d4; i++) {
    q[i] = q_in[q_base + i] * params.scale;
    acc[i] = vec4<f32>(0.0);
  }
  var running_max = -3.0e38;  // finite: exp(running_max - max) is then exactly 0 on the first tile
  var running_sum = 0.0;

  for (var k0 = 0u; k0 < params.keys; k0 += BLOCK_KV) {
    let tile_keys = min(BLOCK_KV, params.keys - k0);
    for (var i = lindex; i < tile_keys * d4; i += BLOCK_Q) {
      let key_row = sample * params.keys + k0 + i / d4;
      let column = i % d4;
      k_tile[i] = k_in[(key_row * params.kv_stride + params.k_offset + head * HEAD_DIM) / 4u + column];
      v_tile[i] = v_in[(key_row * params.kv_stride + params.v_offset + head * HEAD_DIM) / 4u + column];
    }
    workgroupBarrier();

    var tile_max = running_max;
    for (var j = 0u; j < tile_keys; j++) {
      var dot4 = vec4<f32>(0.0);
      for (var i = 0u; i < d4; i++) {
        dot4 += q[i] * k_tile[j * d4 + i];
      }
      let score = dot4.x + dot4.y + dot4.z + dot4.w;
      scores[j] = score;
      tile_max = max(tile_max, score);
    }
    let correction = exp(running_max - tile_max);
    running_sum *= correction;
    for (var i = 0u; i < d4; i++) {
      acc[i] *= correction;
    }
    for (var j = 0u; j < tile_keys; j++) {
      let p = exp(scores[j] - tile_max);
      running_sum += p;
      for (var i = 0u; i < d4; i++) {
        acc[i] += p * v_tile[j * d4 + i];
      }
    }
    running_max = tile_max;
    workgroupBarrier();  // the next tile overwrites k_tile and v_tile
  }

  if (valid) {
    let o_base = ((sample * params.queries + query) * params.o_stride + params.o_offset +
                  head * HEAD_DIM) / 4u;
    let inv_sum = 1.0 / running_sum;
    for (var i = 0u; i < d4; i++) {
      out[o_base + i] = acc[i] * inv_sum;
    }
  }
}
